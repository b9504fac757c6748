"""`make bench`: every benchmark, one after the other, in one process."""

from assistant.offline import enforce_offline

enforce_offline()

from bench import retrieval  # noqa: E402

if __name__ == "__main__":
    retrieval.main()
