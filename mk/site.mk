# The site: Jekyll and its plugins from Debian's packages (RubyGems is out of reach), MathJax 4
# from npm, browser tests with Debian's Chromium. Included by the top Makefile, which provides
# VENV, PY and a PATH with $(VENV)/bin first (so the build hook finds `nn-blog`).
.PHONY: site serve test-site site-deps test-deps site-setup site-clean

JEKYLL := bundle exec jekyll
# What building the site needs, and what its tests add (a Pages runner builds without the latter).
BUILD_DEBS := jekyll ruby-jekyll-feed ruby-jekyll-seo-tag ruby-jekyll-sitemap ruby-webrick bundler
TEST_DEBS := ruby-rspec ruby-html-proofer chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
MATHJAX_DIR := assets/mathjax
MATHJAX_STAMP := $(MATHJAX_DIR)/.copied
NPM_STAMP := node_modules/.installed
# The published address, swapped for the site root so html-proofer checks absolute links locally.
SITE_URL := $(shell sed -n 's/^url: *"\{0,1\}\([^"]*\)"\{0,1\} *$$/\1/p' _config.yml)
PROOFER_SWAP := ^$(subst .,\.,$(subst :,\:,$(SITE_URL))):
PROOFER := bundle exec htmlproofer --disable-external --check-html --check-favicon --check-opengraph \
	--check-img-http --url-swap '$(PROOFER_SWAP)'

# Debian packages, installed only when one is missing (apt-get update first, as on a fresh machine).
site-deps: DEBS = $(BUILD_DEBS)
test-deps: DEBS = $(BUILD_DEBS) $(TEST_DEBS)
site-deps test-deps:
	@missing=""; \
	for pkg in $(DEBS); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  $(QUIET_DEF) quiet "apt-get update" $(SUDO) apt-get update -qq && \
	  quiet "Debian packages:$$missing" env DEBIAN_FRONTEND=noninteractive \
	    $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# A Debian point release may ship other gem versions than Gemfile.lock names: re-resolve offline.
	@bundle check >/dev/null 2>&1 || { rm -f Gemfile.lock; \
	  $(QUIET) "Gemfile.lock re-resolved against Debian's gems" bundle lock --local; }

$(NPM_STAMP): package.json package-lock.json
	@$(QUIET) "npm packages: MathJax 4 and its font, terser, Lighthouse 12.2.3, axe-core (npm ci)" \
		npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The font for the math typeset at build time (_plugins/nn_math.rb: FONTS), and the browser bundle
# for pages that opt in with `mathjax: browser` (loader.paths in _includes/mathjax.html).
$(MATHJAX_STAMP): $(NPM_STAMP)
	@echo "setup: MathJax fonts (and its browser bundle, for pages with mathjax: browser) into $(MATHJAX_DIR)"
	@rm -rf $(MATHJAX_DIR)
	@mkdir -p $(MATHJAX_DIR)/fonts/mathjax-newcm-font
	@cp node_modules/mathjax/tex-chtml.js $(MATHJAX_DIR)/
	@cp -r node_modules/mathjax/sre node_modules/mathjax/input node_modules/mathjax/output \
		node_modules/mathjax/ui node_modules/mathjax/a11y $(MATHJAX_DIR)/
	@rm -f $(MATHJAX_DIR)/sre/*.mjs $(MATHJAX_DIR)/sre/*.mts
	@cp -r node_modules/@mathjax/mathjax-newcm-font/chtml node_modules/@mathjax/mathjax-newcm-font/chtml.js \
		$(MATHJAX_DIR)/fonts/mathjax-newcm-font/
	@touch $@

site-setup: site-deps $(VENV)/.runtime $(MATHJAX_STAMP)

# The build hook (_plugins/nn_blog.rb) runs `nn-blog render` for stale figures first.
site: site-setup
	$(JEKYLL) build $(JEKYLL_BUILD_ARGS)

serve: site-setup
	$(VENV)/bin/nn-blog serve --host 127.0.0.1 --port 4000

test-site: test-deps site-setup $(VENV)/.test
	$(JEKYLL) build --strict_front_matter
	bundle exec rspec
	$(PROOFER) _site
	NN_BLOG_SKIP_RENDER=1 $(VENV)/bin/pytest -q -p no:cacheprovider tests/site

site-clean:
	rm -rf _site $(MATHJAX_DIR) node_modules .jekyll-cache test-artifacts
