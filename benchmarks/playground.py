"""The playground in a real browser (headless Chromium, as tests/e2e/test_playground.py): how fast
each page is ready to use, how long storing files through the page takes, and how much the page
adds to an answer, side by side with the same questions asked through llama-stack-client.

On run-configs/milvus-lite.yaml with the bundled LLM. Per page: seconds from navigation to its
content drawn (--loads times, p50 and max). The torchtune pages of the tutorial are uploaded
through the page; then each torchtune question of benchmarks/qa/questions.json that stands alone
(--questions of them) is asked in the page (a new conversation each) and through an Agent over
HTTP (a new session each, streamed): seconds to the answer complete, right or not (its facts).

    .venv/bin/python benchmarks/playground.py --out benchmarks/results
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from browser import Playground, button, chromium, outside_requests, page_text, wait_for_text  # noqa: E402
from llama_stack_client import Agent  # noqa: E402
from qa import load_questions, right  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from servers import RUN_CONFIGS, StackServer  # noqa: E402

from llama_stack_milvus.playground.chat_page import INSTRUCTIONS  # noqa: E402

TORCHTUNE = REPO / "tests" / "data" / "torchtune"
PAGES = {"rag": "New conversation", "documents": "document(s)", "chat": "Choose a model",
         "providers": "vector_io"}  # fmt: skip
VECTOR_DB = "my-documents"


def page_loads(browser, url: str, times: int) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {}
    for page, ready in PAGES.items():
        for _ in range(times):
            browser.get("about:blank")
            started = time.monotonic()
            browser.get(f"{url}/{page}")
            wait_for_text(browser, ready, 60)
            seconds.setdefault(page, []).append(time.monotonic() - started)
    return seconds


def upload_pages(browser, url: str, folder: Path) -> float:
    browser.get(url)
    button(browser, "Create vector DB").click()
    wait_for_text(browser, "Add files to", 60)
    paths = sorted(folder.glob("*.rst"))
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys("\n".join(str(p) for p in paths))
    started = time.monotonic()
    button(browser, f"Store {len(paths)} file(s)").click()
    wait_for_text(browser, f"{paths[-1].name}: stored", 600)
    return time.monotonic() - started


def ask_in_page(browser, url: str, question: str) -> tuple[float, str]:
    browser.get(url)
    button(browser, "New conversation").click()
    box = browser.find_element(By.CSS_SELECTOR, "textarea[aria-label='Ask about your documents']")
    started = time.monotonic()
    box.send_keys(question, Keys.ENTER)
    wait_for_text(browser, "Sources:", 600)
    seconds = time.monotonic() - started
    return seconds, page_text(browser).split(question)[-1].split("Sources:")[0]


def save_screenshots(browser, url: str, folder: Path) -> None:
    """The chat page with its answer, and the documents page."""
    folder.mkdir(parents=True, exist_ok=True)
    time.sleep(1)
    browser.save_screenshot(str(folder / "playground-chat.png"))
    browser.get(f"{url}/documents")
    wait_for_text(browser, "document(s)", 60)
    time.sleep(1)
    browser.save_screenshot(str(folder / "playground-documents.png"))
    browser.get(url)


def ask_with_client(client, model: str, question: str) -> tuple[float, str]:
    search = {"name": "builtin::rag/knowledge_search", "args": {"vector_db_ids": [VECTOR_DB]}}
    agent = Agent(client, model=model, instructions=INSTRUCTIONS, tools=[search])
    session = agent.create_session(f"bench-{uuid.uuid4().hex[:6]}")
    started = time.monotonic()
    answer = ""
    for chunk in agent.create_turn(messages=[{"role": "user", "content": question}], session_id=session, stream=True):
        payload = chunk.event.payload
        if payload.event_type == "step_progress" and getattr(payload.delta, "type", None) == "text":
            answer += payload.delta.text
    return time.monotonic() - started, answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--questions", type=int, default=4)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--screenshots", type=Path, help="save the pages' screenshots here (docs/)")
    args = parser.parse_args()
    questions = [q for q in load_questions()[0] if q["corpus"] == "torchtune" and not q.get("follow_up")]
    questions = questions[: args.questions]
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        env = {"LOCAL_LLM": "auto", "EMBEDDING_PRELOAD": "all-MiniLM-L6-v2", "LLM_MODELS_DIR": str(state / "models")}
        with StackServer(RUN_CONFIGS / "milvus-lite.yaml", state / "stack", env=env) as stack:
            page = Playground(stack.base_url, state).start()
            browser = chromium(state / "chromium")
            try:
                upload_s = upload_pages(browser, page.url, TORCHTUNE)
                loads = page_loads(browser, page.url, args.loads)
                model = next(m.identifier for m in stack.client().models.list() if m.model_type == "llm")
                # All in the page, then all through the client: the bundled LLM reuses the last
                # prompt it read, so the same question asked twice in a row would flatter the second.
                in_page = []
                for q in questions:
                    in_page.append(ask_in_page(browser, page.url, q["question"]))
                    if args.screenshots and len(in_page) == 1:  # the tutorial's question
                        save_screenshots(browser, page.url, args.screenshots)
                with_client = [ask_with_client(stack.client(), model, q["question"]) for q in questions]
                turns = [
                    {
                        "id": q["id"],
                        "page_s": p[0],
                        "page_right": right(p[1], q["facts"]),
                        "client_s": c[0],
                        "client_right": right(c[1], q["facts"]),
                    }  # fmt: skip
                    for q, p, c in zip(questions, in_page, with_client, strict=True)
                ]
                outside = outside_requests(browser)
            finally:
                browser.quit()
                page.stop()
    report(upload_s, loads, turns, outside, args.out)
    return 0


def report(upload_s: float, loads: dict[str, list[float]], turns: list[dict], outside: list[str], out: Path) -> None:
    print(f"\nupload of the 4 torchtune pages through the page: {upload_s:.1f} s")
    print("\n| page | ready p50 (s) | max (s) |\n|---|---|---|")
    for page, seconds in loads.items():
        print(f"| {page} | {statistics.median(seconds):.2f} | {max(seconds):.2f} |")
    print("\n| question | page (s) | right | client (s) | right |\n|---|---|---|---|---|")
    for t in turns:
        print(f"| {t['id']} | {t['page_s']:.1f} | {t['page_right']} | {t['client_s']:.1f} | {t['client_right']} |")
    page_p50 = statistics.median(t["page_s"] for t in turns)
    client_p50 = statistics.median(t["client_s"] for t in turns)
    print(f"\nturn p50: page {page_p50:.1f} s, client {client_p50:.1f} s, ratio {page_p50 / client_p50:.2f}x")
    print(f"requests outside this machine: {len(outside)}")
    out.mkdir(parents=True, exist_ok=True)
    result = {"upload_s": upload_s, "loads": loads, "turns": turns, "outside_requests": outside}
    (out / "playground.json").write_text(json.dumps(result, indent=2))
    plot(loads, turns, out / "playground.png")


def plot(loads: dict[str, list[float]], turns: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right_axis) = plt.subplots(1, 2, figsize=(11, 4))
    left.bar(list(loads), [statistics.median(s) for s in loads.values()], color="#4c72b0")
    left.axhline(3, color="grey", linestyle="--", label="target 3 s")
    left.set_ylabel("seconds to ready (p50)")
    left.set_title("Page ready after navigation")
    left.legend()
    ids = [t["id"] for t in turns]
    x = range(len(ids))
    right_axis.bar([i - 0.2 for i in x], [t["page_s"] for t in turns], 0.4, label="in the page")
    right_axis.bar([i + 0.2 for i in x], [t["client_s"] for t in turns], 0.4, label="llama-stack-client")
    right_axis.set_xticks(list(x), ids, rotation=20, ha="right")
    right_axis.set_ylabel("seconds to the full answer")
    right_axis.set_title("One question, bundled LLM")
    right_axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
