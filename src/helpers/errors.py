"""Errors that carry a message meant for a person (learner, assessor or trainer), not a traceback."""


class UserFacingError(Exception):
    """Bad input from the user: ``ccw`` prints it as one clear line and exits with status 2."""
