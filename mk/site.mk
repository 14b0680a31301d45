# Site targets (Jekyll, MathJax, browser tests). Filled in by the site work.
.PHONY: test-site
test-site:
	@echo "site tests: not yet wired"
