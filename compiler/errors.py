"""The compiler's one error type: a message that names the file and the problem."""


class CompileError(Exception):
    """Input the compiler cannot turn into a model; the message is one line for the user."""
