"""The library's diagnostics: records on the standard logger ``"sklearn_sbs"``.

Which executor ran a simulation (and whether a Dask worker ran it in its own
process or in a child), the correction's rounds and the learning's iterations
are logged at INFO.  An application that configures :mod:`logging` (a handler
on ``"sklearn_sbs"`` or on the root logger, at INFO or below) receives them
there.  Without such a configuration an estimator's ``verbose`` shows the same
lines on stderr, beside its progress bars, so that ``verbose=1`` means the same
with or without logging set up.  Warnings about the results (units near
saturation, ...) stay :mod:`warnings`: they are about the user's data.
"""

import logging
import sys

logger = logging.getLogger("sklearn_sbs")


def wanted(verbose):
    """Whether a line is shown anywhere: worth computing what it reports."""
    return bool(verbose) or logger.isEnabledFor(logging.INFO)


def report(verbose, message):
    """Log ``message`` at INFO; with ``verbose`` and no logging configured to
    show it, write it to stderr too (through tqdm, which keeps bars intact)."""
    if verbose and not (logger.hasHandlers() and logger.isEnabledFor(logging.INFO)):
        from tqdm.auto import tqdm          # a dependency, imported only when shown

        tqdm.write(message, file=sys.stderr)
    logger.info(message)
