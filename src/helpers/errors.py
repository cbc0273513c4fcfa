"""The package's exceptions: one root, and the kinds of person each message is written for.

* :class:`CCWError`: the root; ``except CCWError`` catches every error the package raises on purpose.
* :class:`UserFacingError`: bad input from a trainer or an assessor (a folder, a roster, a setting):
  ``ccw`` prints it as one clear line and exits with status 2.
* :class:`LearnerError`: a problem with a learner's answer or workspace, written for a manager who
  is not a programmer; notebooks show it in plain words, without a traceback.
"""


class CCWError(Exception):
    """Root of every error Contact Centre Workbooks raises on purpose."""


class UserFacingError(CCWError):
    """Bad input from the user: ``ccw`` prints it as one clear line and exits with status 2."""


class LearnerError(CCWError):
    """A learner's answer or code has a problem; the message says what and where."""
