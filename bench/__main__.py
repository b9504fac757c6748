"""`make bench`: every benchmark in one process; `python -m bench retrieval|answers|tools|documents` runs one."""

import sys

from assistant.offline import enforce_offline

enforce_offline()

from bench import answers, documents, retrieval, tools  # noqa: E402

if __name__ == "__main__":
    wanted = sys.argv[1:] or ["retrieval", "answers", "tools", "documents"]
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
