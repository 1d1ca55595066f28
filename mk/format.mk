# mk/format.mk — formatting with clang-format and .clang-format.
#   make format         rewrite src/ include/ cmd/ tests/unit/ bench/ in place
#   make format-check   fail when any of them differs (what CI runs)
# Both go through scripts/format-check (one file list).
.PHONY: format format-check

format:
	./scripts/format-check --apply

format-check:
	./scripts/format-check
