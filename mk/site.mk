# The site: Jekyll and its plugins from Debian's packages (RubyGems is out of reach), nn-blog's
# plugin from the package (loaded by _plugins/nn_blog.rb, its Node packages installed by
# `nn-blog setup` into ~/.cache/nn-blog), browser tests with the Chromium tests/chrome.py finds.
# Included by the top Makefile, which provides VENV and PY.
#
# What building needs and what testing adds are kept apart (issue 21): `make site` (and the Pages
# job) installs BUILD_DEBS, resolves the site's Gemfile (no test gem in it) and the build's Node
# packages only; the test tools (rspec, html-proofer: spec/Gemfile; Java for the Nu HTML Checker;
# Chromium; Lighthouse, axe-core and vnu-jar: package.json) come with `make test-deps` / `test-site`.
.PHONY: site serve preview test-site site-deps test-deps site-setup site-clean

JEKYLL := bundle exec jekyll
# The tests' bundle: the site's gems and rspec, html-proofer (spec/Gemfile evaluates ../Gemfile).
TEST_GEMFILE := $(CURDIR)/spec/Gemfile
TEST_BUNDLE := BUNDLE_GEMFILE=$(TEST_GEMFILE) bundle exec
# What building the site needs, and what its tests add (a Pages runner builds without the latter).
BUILD_DEBS := jekyll ruby-jekyll-feed ruby-jekyll-seo-tag ruby-jekyll-sitemap ruby-webrick bundler
# Debian's chromium only where no Chrome is found (tests/chrome.py: $NN_BLOG_CHROME, the usual
# names on PATH, Playwright's): GitHub's Ubuntu 24.04 runners have Google Chrome, and their
# `chromium` package is a transitional snap shim that `dpkg -s` never reports installed.
CHROME_FOUND = $(shell $(PYTHON) tests/chrome.py >/dev/null 2>&1 && echo yes)
# jekyll-theme-minima: tests/site/test_host_sites.py builds a stock minima blog with nn-blog in it.
TEST_DEBS = ruby-rspec ruby-html-proofer jekyll-theme-minima $(if $(CHROME_FOUND),,chromium)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The tests' own Node packages (Lighthouse, axe-core, vnu-jar): package.json at the root; the
# build's are the package's (nn_blog/jekyll/node/), which `nn-blog setup` installs.
NPM_STAMP := node_modules/.installed
PORT ?= 4000
# The path under the host the site is built for: "" (a user site, a custom domain) or "/NAME"
# (a project site at https://USER.github.io/NAME/). The Pages job passes the one GitHub assigns.
BASEURL ?=
# The published address, swapped for the site root so html-proofer checks absolute links locally.
SITE_URL := $(shell sed -n 's/^url: *"\{0,1\}\([^"]*\)"\{0,1\} *$$/\1/p' _config.yml)
PROOFER_SWAP := ^$(subst .,\.,$(subst :,\:,$(SITE_URL))):
PROOFER := $(TEST_BUNDLE) htmlproofer --disable-external --check-html --check-favicon \
	--check-opengraph --check-img-http --url-swap '$(PROOFER_SWAP)'

# Debian packages, installed only when one is missing (apt-get update first, as on a fresh machine);
# a command found on PATH (npm, java) counts as installed, whichever package brought it.
site-deps: DEBS = $(BUILD_DEBS)
site-deps: COMMANDS = npm:npm
site-deps: GEMFILES = Gemfile
test-deps: DEBS = $(BUILD_DEBS) $(TEST_DEBS)
test-deps: COMMANDS = npm:npm java:default-jre-headless
test-deps: GEMFILES = Gemfile $(TEST_GEMFILE)
site-deps test-deps:
	@missing=""; \
	for pkg in $(DEBS); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	for pair in $(COMMANDS); do command -v $${pair%%:*} >/dev/null 2>&1 || \
	  missing="$$missing $${pair#*:}"; done; \
	case "$$missing" in *npm*) missing="$$missing nodejs";; esac; \
	if [ -n "$$missing" ]; then \
	  $(QUIET_DEF) quiet "apt-get update" $(SUDO) apt-get update -qq && \
	  quiet "Debian packages:$$missing" env DEBIAN_FRONTEND=noninteractive \
	    $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# A Debian point release may ship other gem versions than a lock names: re-resolve offline.
	@for gemfile in $(GEMFILES); do \
	  BUNDLE_GEMFILE=$$gemfile bundle check >/dev/null 2>&1 || { rm -f $$gemfile.lock; \
	  $(QUIET_DEF) quiet "$$gemfile.lock re-resolved against Debian's gems" \
	    env BUNDLE_GEMFILE=$$gemfile bundle lock --local || exit $$?; }; done

$(NPM_STAMP): package.json package-lock.json
	@$(QUIET) "npm packages for the tests: Lighthouse 12.2.3, axe-core, vnu-jar (npm ci)" \
		npm ci --no-audit --no-fund --loglevel=error
	@touch $@

site-setup: site-deps $(VENV)/.runtime
	@$(VENV)/bin/nn-blog setup --quiet

# The build hook (_plugins/nn_blog.rb) runs `nn-blog render` for stale figures first.
site: site-setup
	$(JEKYLL) build $(if $(BASEURL),--baseurl '$(BASEURL)') $(JEKYLL_BUILD_ARGS)

serve: site-setup
	$(VENV)/bin/nn-blog serve --host 127.0.0.1 --port $(PORT)

# What Pages will serve: _site built for BASEURL, served only under it (a link that forgets the
# base path gets a 404, as on https://USER.github.io/NAME/). `make preview BASEURL=/NAME`.
preview: site
	$(PY) mk/preview.py _site --baseurl '$(BASEURL)' --host 127.0.0.1 --port $(PORT)

test-site: test-deps site-setup $(VENV)/.test $(NPM_STAMP)
	$(JEKYLL) build --strict_front_matter
	$(TEST_BUNDLE) rspec
	$(PROOFER) _site
	NN_BLOG_SKIP_RENDER=1 $(VENV)/bin/pytest -q -p no:cacheprovider tests/site

site-clean:
	rm -rf _site node_modules .jekyll-cache test-artifacts
