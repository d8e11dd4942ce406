"""The one exception type for problems a user can cause and the CLI reports in one line."""


class PipelineError(Exception):
    """A problem that stops the run (no inbox, broken register, bad arguments).

    The message is shown to the user as is: Vietnamese, saying what is wrong and what to do.
    """
