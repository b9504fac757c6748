"""Environment that keeps every library offline and silent.

Must run before sentence-transformers, transformers, huggingface_hub, onnxruntime or
chromadb are imported: they read these variables at import time.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_DATASETS_OFFLINE": "1",
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def enforce_offline() -> None:
    """Set the offline variables (overriding any value that would re-enable the network)."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
