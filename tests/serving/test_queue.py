"""The bounded queue in front of the model (serving/api.py AskQueue), with real threads."""

from __future__ import annotations

import asyncio
import time

import pytest

from serving.api import AskQueue, Unavailable


def test_a_question_that_cannot_start_in_time_gets_503_and_the_turn_is_not_lost():
    async def scenario() -> None:
        queue = AskQueue(max_waiting=4, workers=1, max_wait=0.3)
        stuck = asyncio.create_task(queue.run(lambda: time.sleep(1.5) or "slow"))
        await asyncio.sleep(0.05)
        with pytest.raises(Unavailable) as refused:
            await queue.run(lambda: "fast")
        assert not stuck.done()  # refused while the model was still busy, not after
        assert refused.value.kind == "overloaded" and refused.value.retry_after >= 1
        assert queue.waiting == 0
        assert (await stuck)[0] == "slow"
        assert (await queue.run(lambda: "after"))[0] == "after"  # the refused call did not keep a turn

    asyncio.run(scenario())


def test_beyond_the_bound_a_question_is_refused_at_once_and_workers_run_side_by_side():
    async def scenario() -> None:
        queue = AskQueue(max_waiting=1, workers=2, max_wait=30)
        running = [asyncio.create_task(queue.run(lambda: time.sleep(0.5) or "busy")) for _ in range(2)]
        await asyncio.sleep(0.05)
        assert queue.running == 2  # two at once
        waiting = asyncio.create_task(queue.run(lambda: "third"))
        await asyncio.sleep(0.05)
        with pytest.raises(Unavailable) as refused:
            await queue.run(lambda: "fourth")
        assert refused.value.kind == "overloaded" and not waiting.done()
        assert [(await task)[0] for task in running] == ["busy", "busy"]
        assert (await waiting)[0] == "third"

    asyncio.run(scenario())
