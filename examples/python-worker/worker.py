"""A Pincer plugin in Python: a Temporal activity worker that Pincer calls from an
`external_activity` step. Any Temporal SDK works the same way (Go, Java, .NET...).

    pip install -r requirements.txt
    TEMPORAL_ADDRESS=127.0.0.1:7233 python worker.py

Then, in a workflow:

    - name: score
      type: external_activity
      task_queue: python-tools
      activity: score_lead
      input: { company: "{{ trigger.company }}", employees: "{{ trigger.employees }}" }
"""

import asyncio
import os
import signal

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker


@activity.defn(name="score_lead")
async def score_lead(lead: dict) -> dict:
    """Scores a sales lead: a stand-in for whatever your Python code does (pandas, ML, ...)."""
    employees = int(lead.get("employees") or 0)
    score = min(100, 10 + employees // 10)
    return {"company": lead.get("company"), "score": score, "worker": "python"}


async def main() -> None:
    client = await Client.connect(
        os.environ.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
        namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"),
    )
    task_queue = os.environ.get("TASK_QUEUE", "python-tools")
    worker = Worker(client, task_queue=task_queue, activities=[score_lead])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        print(f"python worker polling {task_queue}", flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
