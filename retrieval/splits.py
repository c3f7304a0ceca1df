"""The corpus splits (examples/pairs.jsonl), apart from the store so the CLI can list them
without loading FAISS. retrieval/store.py says what each split holds."""

SPLITS = ("train", "dev", "dev-new", "test-new", "outside-dev", "outside-test", "outside-dev2", "outside-dev3",
          "outside-test2")
HELD_OUT = ("test-new", "outside-dev", "outside-test", "outside-dev2", "outside-dev3", "outside-test2")  # written apart from the corpus
EVAL_SPLITS = tuple(split for split in SPLITS if split != "train")
