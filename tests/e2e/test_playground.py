"""The playground (scripts/playground.sh) in headless Chromium against real stacks: the embedded
default answers a question about an uploaded PDF and names its source; the documents page lists,
searches and deletes; the page says so when the stack is down or has no LLM. The browser resolves
no host but localhost, and no page asks for anything outside it."""

import pytest
from browser import Playground, button, chromium, outside_requests, page_text, wait_for_text
from pdf import pdf_with_text
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from servers import RUN_CONFIGS, StackServer, free_port

from llama_stack_milvus.cli.ingest import store
from llama_stack_milvus.cli.sources import read_upload
from llama_stack_milvus.playground.stack import NO_LLM
from llama_stack_milvus.playground.uploads import CHUNK_SIZE_TOKENS

REPORT = ["Harbour report 2026.", "The lighthouse keeper of Port Elvan is Miriam Achterberg.",
          "The harbour has 14 berths and opens at six in the morning."]  # fmt: skip
NOTES = "# Ferry notes\n\nThe ferry to Lund leaves at noon from berth 3.\n"
ANSWER_SECONDS = 300  # a turn on the bundled LLM takes 5-20 s here; an xdist neighbour may slow it


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uploads")
    (folder / "harbour-report.pdf").write_bytes(pdf_with_text(REPORT))
    (folder / "ferry-notes.md").write_text(NOTES)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a PDF\n")
    return folder


@pytest.fixture(scope="module")
def llm_stack(tmp_path_factory, models_dir):
    stack = StackServer(
        RUN_CONFIGS / "milvus-lite.yaml",
        tmp_path_factory.mktemp("playground-stack"),
        env={"LOCAL_LLM": "auto", "LLM_MODELS_DIR": str(models_dir), "EMBEDDING_PRELOAD": "all-MiniLM-L6-v2"},
    ).start(timeout=600)
    yield stack
    stack.stop()


def started_playground(stack_url: str, folder):
    return Playground(stack_url, folder).start()


@pytest.fixture(scope="module")
def playground(llm_stack, tmp_path_factory):
    page = started_playground(llm_stack.base_url, tmp_path_factory.mktemp("playground"))
    yield page
    page.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def upload(browser, paths) -> None:
    wait_for_text(browser, "Add files to", 30)
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys("\n".join(str(p) for p in paths))
    button(browser, f"Store {len(paths)} file(s)").click()


@pytest.mark.alone
def test_a_pdf_uploaded_in_the_page_is_answered_with_its_source(playground, browser, files, llm_stack):
    browser.get(playground.url)
    wait_for_text(browser, "Create vector DB", 30)
    button(browser, "Create vector DB").click()
    upload(browser, [files / "harbour-report.pdf", files / "broken.pdf"])
    wait_for_text(browser, "harbour-report.pdf: stored, 1 chunks", 120)
    assert "broken.pdf: not stored: it cannot be read: it is not a readable PDF" in page_text(browser)

    box = browser.find_element(By.CSS_SELECTOR, "textarea[aria-label='Ask about your documents']")
    box.send_keys("Who is the lighthouse keeper of Port Elvan?", Keys.ENTER)
    wait_for_text(browser, "Sources:", ANSWER_SECONDS)
    text = page_text(browser)
    assert "Miriam Achterberg" in text.split("Who is the lighthouse keeper of Port Elvan?")[-1]
    assert "Sources: harbour-report.pdf" in text
    assert outside_requests(browser) == []
    # What the page stored is what the stack holds: one vector DB, the readable file only.
    client = llm_stack.client()
    files_listed = client.vector_stores.files.list(vector_store_id="my-documents").data
    assert [f.attributes["document_id"] for f in files_listed] == ["harbour-report.pdf"]


def test_the_documents_page_lists_searches_and_deletes_one_document(playground, browser, files, llm_stack):
    client = llm_stack.client()
    if "my-documents" not in {db.identifier for db in client.vector_dbs.list()}:
        client.vector_dbs.register(vector_db_id="my-documents", embedding_model="all-MiniLM-L6-v2",
                                   embedding_dimension=384)  # fmt: skip
    # The report stored as the ingest command stores it (whether or not the test before ran): the
    # page must find it unchanged, not store it again.
    report = files / "harbour-report.pdf"
    store(client, "my-documents", read_upload(report.name, report.read_bytes()), CHUNK_SIZE_TOKENS)
    browser.get(playground.url)
    upload(browser, [files / "ferry-notes.md", report])
    wait_for_text(browser, "ferry-notes.md: stored", 120)
    assert "harbour-report.pdf: already stored, unchanged" in page_text(browser)

    browser.get(f"{playground.url}/documents")
    wait_for_text(browser, "2 document(s)", 30)
    wait_for_text(browser, "ferry-notes.md\n1 chunks", 30)
    wait_for_text(browser, "harbour-report.pdf\n1 chunks", 30)

    browser.find_element(By.XPATH, "//button[@role='tab'][contains(., 'Search')]").click()
    browser.find_element(By.XPATH, "//input[@aria-label='Search for']").send_keys("When does the ferry leave?")
    browser.find_element(By.XPATH, "//div[@data-testid='stFormSubmitButton']//button").click()
    wait_for_text(browser, "1. ferry-notes.md · score", 30)

    browser.find_element(By.XPATH, "//button[@role='tab'][contains(., 'Documents')]").click()
    delete = browser.find_elements(By.XPATH, "//button[contains(., 'Delete')]")
    delete[0].click()  # the documents are listed by name: ferry-notes.md first
    wait_for_text(browser, "Delete ferry-notes.md and its 1 chunks from my-documents?", 30)
    button(browser, "Delete it").click()
    wait_for_text(browser, "Deleted ferry-notes.md (1 chunks).", 30)
    wait_for_text(browser, "1 document(s)", 30)
    remaining = client.vector_stores.files.list(vector_store_id="my-documents").data
    assert [f.attributes["document_id"] for f in remaining] == ["harbour-report.pdf"]
    assert outside_requests(browser) == []


def test_the_page_says_so_when_the_stack_is_down(browser, tmp_path):
    page = started_playground(f"http://127.0.0.1:{free_port()}", tmp_path)
    try:
        browser.get(page.url)
        wait_for_text(browser, "Cannot reach the Llama Stack at", 30)
        assert "./scripts/quickstart.sh" in page_text(browser)
    finally:
        page.stop()


def test_without_an_llm_the_page_says_how_to_add_one(browser, tmp_path):
    with StackServer(RUN_CONFIGS / "milvus-lite.yaml", tmp_path / "stack") as stack:
        page = started_playground(stack.base_url, tmp_path)
        try:
            browser.get(page.url)
            wait_for_text(browser, "This stack has no LLM", 30)
            assert NO_LLM.split("(")[0].strip() in page_text(browser)
            box = browser.find_element(By.CSS_SELECTOR, "textarea[aria-label='Ask about your documents']")
            assert not box.is_enabled()
        finally:
            page.stop()
