"""Whole-document work: summaries and fact extraction, their prompts and result tables."""
