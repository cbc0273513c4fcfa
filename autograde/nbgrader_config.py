"""nbgrader configuration of the Contact Centre Workbooks course (see docs/grading.md)."""
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "contact-centre-workbooks"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".secret"]

# Per-cell timeout (seconds) when autograding; a cell that runs longer is interrupted and fails.
c.Execute.timeout = 60
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# No `raise NotImplementedError()`: the released workbook must run top to bottom before anything is
# answered; answer cells set their variables to None above the stub and checks say what is still empty.
c.ClearSolutions.code_stub = {"python": "# YOUR ANSWER HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Deleted or retyped cells, edited read-only cells and tampered tests are restored by `ccw grade`
# before grading (nbgrader's OverwriteCells plus helpers.course.worker.restore_cells), with a note.

# The course's own settings (helpers.course.settings; a misspelt one is an error).
# --- CCWCourse: Which assignments the course holds.
# Assignment ids (unit codes) of the course; empty: every folder of the notebooks root that holds
# notebooks.
c.CCWCourse.assignments = []

# --- CCWGrade: Limits of one autograding run (the per-cell timeout is nbgrader's c.Execute.timeout).
# Output kept per cell (bytes); the rest is dropped with a note in the learner's feedback.
c.CCWGrade.max_output_bytes = 1000000
# Whole-notebook limit (seconds): past it the kernel is stopped and the remaining cells earn
# nothing.
c.CCWGrade.notebook_timeout = 600.0
# In the sandbox, fork each notebook's fresh kernel from a zygote that imported the packages and
# loaded the learner's dataset once (much faster); False starts a new Python for every notebook.
c.CCWGrade.prefork = True

# --- CCWReport: What the competency reports and result sheets say.
# Assessor's name printed on each learner's result sheet; with assessor_credentials, the RTO
# record that satisfies the units' assessor requirement (e.g. BSBCUE605 AC7).
c.CCWReport.assessor = ''
# RTO record of the assessor's credentials (e.g. 'TAE40122 Certificate IV in Training and
# Assessment; vocational competency BSB50620, current industry skills verified 2025-01'):
# satisfies the AC items that describe the assessor; empty: those items are Not Yet Satisfactory.
c.CCWReport.assessor_credentials = ''
# RTO record of the assessment environment (e.g. 'simulated contact centre: Lyrebird Energy case
# study, per-learner datasets, safe online environment'): satisfies the AC items that describe the
# environment; empty: those items are Not Yet Satisfactory.
c.CCWReport.environment = ''
# Registered training organisation named on the result sheets.
c.CCWReport.rto = ''

# --- CCWSandbox: The sandbox a learner's kernel is graded in, and its limits.
# CPU seconds for the whole notebook (RLIMIT_CPU).
c.CCWSandbox.cpu_seconds = 900
# Grade in the bubblewrap sandbox. `ccw grade --no-sandbox` turns it off, and grades.csv and the
# reports then say so.
c.CCWSandbox.enabled = True
# Largest file the kernel may write, MiB (RLIMIT_FSIZE).
c.CCWSandbox.file_size_mb = 64
# Address space of the kernel, MiB (RLIMIT_AS).
c.CCWSandbox.memory_mb = 4096
# Open file descriptors (RLIMIT_NOFILE).
c.CCWSandbox.open_files = 1024
# Processes and threads the kernel's uid may have (RLIMIT_NPROC).
c.CCWSandbox.processes = 256
# Size of the kernel's writable scratch tmpfs (/tmp and home), MiB.
c.CCWSandbox.scratch_mb = 256
# When grading as root, each kernel runs as an unprivileged uid of its own from uid_base upwards,
# which no host user has.
c.CCWSandbox.uid_base = 1000000000
