"""nbgrader configuration of the Contact Centre Workbooks course (see docs/grading.md)."""
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "contact-centre-workbooks"
# Assignment ids are unit codes; source notebooks live in notebooks/<UNIT>/ and are copied to
# source/<UNIT>/ by `ccw course build`. Empty list: every folder of notebooks/ with notebooks.
c.CCWCourse.assignments = []
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".secret"]

# Per-cell timeout (seconds) when autograding; a cell that runs longer is interrupted and fails.
c.Execute.timeout = 60
# Whole-notebook limit (seconds): past it the kernel is stopped and the remaining cells earn nothing.
c.CCWGrade.notebook_timeout = 600
# Output kept per cell (bytes); the rest is dropped with a note in the learner's feedback.
c.CCWGrade.max_output_bytes = 1000000
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# No `raise NotImplementedError()`: the released workbook must run top to bottom before anything is
# answered; answer cells set their variables to None above the stub and checks say what is still empty.
c.ClearSolutions.code_stub = {"python": "# YOUR ANSWER HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Deleted or retyped cells, edited read-only cells and tampered tests are restored by `ccw grade`
# before grading (nbgrader's OverwriteCells plus helpers.course.worker.restore_cells), with a note.
