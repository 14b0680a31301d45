# The site: Jekyll and its plugins from Debian's packages (RubyGems is out of reach), nn-blog's
# plugin from the package (loaded by _plugins/nn_blog.rb, its Node packages installed by
# `nn-blog setup` into ~/.cache/nn-blog), browser tests with Debian's Chromium. Included by the
# top Makefile, which provides VENV and PY.
.PHONY: site serve test-site site-deps test-deps site-setup site-clean

JEKYLL := bundle exec jekyll
# What building the site needs, and what its tests add (a Pages runner builds without the latter).
BUILD_DEBS := jekyll ruby-jekyll-feed ruby-jekyll-seo-tag ruby-jekyll-sitemap ruby-webrick bundler
TEST_DEBS := ruby-rspec ruby-html-proofer chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The tests' own Node packages (Lighthouse, axe-core): package.json at the root; the build's are
# the package's (nn_blog/jekyll/node/), which `nn-blog setup` installs.
NPM_STAMP := node_modules/.installed
PORT ?= 4000
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
	@$(QUIET) "npm packages for the tests: Lighthouse 12.2.3, axe-core (npm ci)" \
		npm ci --no-audit --no-fund --loglevel=error
	@touch $@

site-setup: site-deps $(VENV)/.runtime
	@$(VENV)/bin/nn-blog setup --quiet

# The build hook (_plugins/nn_blog.rb) runs `nn-blog render` for stale figures first.
site: site-setup
	$(JEKYLL) build $(JEKYLL_BUILD_ARGS)

serve: site-setup
	$(VENV)/bin/nn-blog serve --host 127.0.0.1 --port $(PORT)

test-site: test-deps site-setup $(VENV)/.test $(NPM_STAMP)
	$(JEKYLL) build --strict_front_matter
	bundle exec rspec
	$(PROOFER) _site
	NN_BLOG_SKIP_RENDER=1 $(VENV)/bin/pytest -q -p no:cacheprovider tests/site

site-clean:
	rm -rf _site node_modules .jekyll-cache test-artifacts
