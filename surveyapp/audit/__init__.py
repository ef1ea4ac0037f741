"""The audit log of staff writes. ``operations.record`` is called by every write of the
product, in the write's own transaction; nothing in the product edits or deletes an entry."""
