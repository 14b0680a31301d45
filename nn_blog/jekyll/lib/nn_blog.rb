# frozen_string_literal: true

# The Jekyll side of nn-blog, shipped inside the Python package (nn_blog/jekyll/) and loaded by
# the one small file `nn-blog init` writes into a site's _plugins/ (nn_blog/jekyll/loader.rb).
# Nothing here is ever copied into a site: an upgrade is `pip install -U nn-blog`.
#
# This entry file only loads the parts, one job each (as jekyll-feed does), and registers them:
#
#   nn_blog/figures.rb  {% nn_figure %}, the caption and number filters, the render hook
#   nn_blog/assets.rb   the plugin's scripts, styles and math fonts, added to the site as static
#                       files from the package (a site file at the same path wins)
#   nn_blog/math.rb     math typeset at build time (MathJax 4 in Node)
#   nn_blog/minify.rb   the plugin's scripts minified in _site (terser in Node)
#   nn_blog/node.rb     what math and minify share: the Node packages, a bounded node run
#   nn_blog/search.rb   Pagefind's index after every build
#   nn_blog/cards.rb    each page's social card for jekyll-seo-tag
#   nn_blog/serving.rb  under `nn-blog serve`: one build per change, errors shown in the page
#
# NNBlog.setup(info) is called by the loader with what `nn-blog plugin --json` printed: the
# package's version and folder, the Python that runs it, and where its Node packages are.
module NNBlog
  ROOT = File.expand_path("..", __dir__) # nn_blog/jekyll/ in the installed package

  class << self
    attr_reader :info

    def setup(info)
      @info = info
    end

    # The command that runs nn-blog in argv form: the interpreter the loader found it with, so
    # `nn-blog render` works however Jekyll was started (no PATH needed).
    def command
      python = @info && @info["python"]
      python ? [python, "-m", "nn_blog"] : nil
    end
  end
end

require_relative "nn_blog/node"
require_relative "nn_blog/figures"
require_relative "nn_blog/assets"
require_relative "nn_blog/math"
require_relative "nn_blog/minify"
require_relative "nn_blog/search"
require_relative "nn_blog/cards"
require_relative "nn_blog/serving"

Liquid::Template.register_tag("nn_figure", NNBlog::FigureTag)
Liquid::Template.register_filter(NNBlog::Filters)
Jekyll::Hooks.register(:site, :after_init) do |site|
  NNBlog::Assets.include_path(site)
  NNBlog::Render.before_build(site)
end
Jekyll::Hooks.register(:site, :post_read) { |site| NNBlog::Assets.add(site) }
Jekyll::Hooks.register([:pages, :documents], :post_render) { |doc| NNBlog::Assets.style(doc) }
Jekyll::Hooks.register(:site, :post_render) do |site, _payload|
  NNMath.typeset_site(site)
  NNBlog::Serving.decorate(site)
end
Jekyll::Hooks.register(:site, :post_write) do |site|
  NNMath::MathFont.sweep(site)
  NNMinify.minify_site(site)
  NNBlog::Search.index(site)
end
