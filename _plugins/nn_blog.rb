# frozen_string_literal: true

# The Jekyll side of nn-blog, split by job (as jekyll-feed is): this entry file only loads the
# parts and registers them.
#
#   nn_blog/figures.rb  what the Python package generated: {% nn_figure %}, the figure caption
#                       filter, the number filters for results, the `nn-blog render` build hook
#   nn_blog/theme.rb    the theme's helpers: front-matter flags, math stripping, table of
#                       contents, related posts, required include parameters, SEO defaults
#
# Jekyll also loads the parts itself (it requires every .rb under _plugins/); `require` keeps
# each to one load, whichever comes first.
require_relative "nn_blog/figures"
require_relative "nn_blog/theme"

Liquid::Template.register_tag("nn_figure", NNBlog::FigureTag)
Liquid::Template.register_filter(NNBlog::Filters)
Liquid::Template.register_filter(NNBlog::ThemeFilters)
Jekyll::Hooks.register(:site, :after_init) { |site| NNBlog::Render.before_build(site) }
Jekyll::Hooks.register([:pages, :documents], :pre_render) do |doc, payload|
  NNBlog.seo_defaults(doc, payload)
end
