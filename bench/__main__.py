"""`make bench`: every benchmark; `python -m bench retrieval|answers|tools|documents|load|worker` runs one."""

import sys

from assistant.offline import enforce_offline

enforce_offline()

from bench import answers, documents, load, retrieval, tools, worker  # noqa: E402

if __name__ == "__main__":
    wanted = sys.argv[1:] or ["retrieval", "answers", "tools", "documents", "load", "worker"]
    if "retrieval" in wanted:
        retrieval.main()
    if "answers" in wanted:
        print()
        answers.main()
    if "tools" in wanted:
        print()
        tools.main()
    if "documents" in wanted:
        print()
        documents.main()
    if "load" in wanted:
        print()
        load.main()
    if "worker" in wanted:
        print()
        worker.main([])
