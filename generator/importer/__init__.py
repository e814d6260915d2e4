"""Raw page -> curated Markdown article: decode, extract, clean, describe, write."""
