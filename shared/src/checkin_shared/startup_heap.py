"""What an app built at startup is kept out of the cyclic garbage collector's full passes.

A service's process holds some 190,000 objects once it has started (its modules, FastAPI's
and pydantic's models, SQLAlchemy's mappers), and nearly all of them live as long as the
process. CPython's collector still walks all of them in every collection of its oldest
generation; measured in the benchmark's read and storm runs, each such pass stopped a
service for 90-140 ms, a pause every request in flight waited out (it was the read run's
p99). `gc.freeze()` once startup is done moves what exists then into a permanent
generation the collector no longer walks; what requests create afterwards is collected
as before. At shutdown the heap is unfrozen again, so that a process that starts and
stops many apps (the test suite) does not keep the garbage of each."""

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TypeVar

AppT = TypeVar("AppT")


def frozen_after_startup(
    lifespan: Callable[[AppT], AbstractAsyncContextManager[None]],
) -> Callable[[AppT], AbstractAsyncContextManager[None]]:
    """`lifespan`, with the heap frozen once its startup is done and unfrozen when its
    shutdown begins."""

    @asynccontextmanager
    async def frozen(app: AppT) -> AsyncIterator[None]:
        async with lifespan(app):
            gc.freeze()
            try:
                yield
            finally:
                gc.unfreeze()

    return frozen
