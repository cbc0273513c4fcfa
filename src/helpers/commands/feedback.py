"""``ccw feedback release``: hand the feedback pages ``ccw grade`` wrote to the learners, through
nbgrader's exchange (the same step as formgrader's *Release Feedback*); learners get them with
*Fetch Feedback* in their Assignment List."""
from __future__ import annotations

from helpers.commands import options


def register(sub) -> None:
    action = options.actions(
        sub, "feedback", help="release feedback to learners through the course exchange",
        description="Assessor's side of feedback. `release` copies feedback/<learner>/<UNIT>/*.html (written by "
                    "`ccw grade`, or `ccw grade --feedback-only` after manual marking) into the course exchange, "
                    "where each learner fetches their own with Nbgrader > Assignment List > Fetch Feedback. "
                    "Releasing again replaces what was released before.")
    release = action.add_parser("release", help="release feedback pages to the exchange",
                                description="Release every learner's feedback (or one assignment's, or one "
                                            "learner's) to the course exchange.")
    options.course(release)
    release.add_argument("--assignment", default=None, metavar="UNIT", help="only this assignment (unit code)")
    release.add_argument("--learner", default=None, metavar="ID", help="only this learner")
    release.set_defaults(func=run_release)


def run_release(args) -> int:
    from helpers.lab.workspace import release_feedback

    released = release_feedback(args.course, assignment=args.assignment, learner=args.learner)
    learners = sorted({learner for learner, _, _ in released})
    print(f"released {len(released)} feedback page(s) of {len(learners)} learner(s) "
          f"({', '.join(learners[:10])}{' ...' if len(learners) > 10 else ''}); learners fetch them with "
          "Nbgrader > Assignment List > Fetch Feedback")
    return 0
