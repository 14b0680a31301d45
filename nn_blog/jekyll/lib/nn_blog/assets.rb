# frozen_string_literal: true

# What the plugin brings to a site besides its tags, all read from the package, none copied into
# the site's folder (jekyll-feed adds its feed the same way):
#
# - includes: nn_blog/jekyll/includes/ is searched after the site's _includes/ (and its theme's),
#   so {% nn_figure %} renders nn-figure.html from the package unless the site has its own;
# - static files: nn_blog/jekyll/assets/** is published under /assets/nn-blog/ (the live figures'
#   scripts; the math font is added by math.rb, which knows what characters it must hold);
#   a file the site has at the same path wins, so an author overrides one by shadowing it;
# - the figure styles (nn_blog/jekyll/assets/nn-figures.css, about 1 kB) go inline into the
#   <head> of each page that shows a figure: no extra request, nothing restyled elsewhere.
require "set"

module NNBlog
  module Assets
    SOURCE = File.join(NNBlog::ROOT, "assets")
    INCLUDES = File.join(NNBlog::ROOT, "includes")
    URL = "assets/nn-blog"
    STYLE = File.join(SOURCE, "nn-figures.css")
    LIVE_STYLE = File.join(SOURCE, "nn-live.css") # only on pages with a live figure
    # Files of the package's assets folder that are not for readers.
    PRIVATE = %w(package.json nn-figures.css nn-live.css nn-math.css).freeze
    MARK = 'class="nn-figure'

    # A static file whose bytes live in the package (or nn-blog's caches), published at
    # /DIR/NAME in the site.
    class PackageFile < Jekyll::StaticFile
      def initialize(site, path, dir, name)
        super(site, site.source, dir, name)
        @package_path = path
      end

      def path
        @package_path
      end
    end

    module_function

    def include_path(site)
      paths = site.includes_load_paths
      paths << INCLUDES unless paths.frozen? || paths.include?(INCLUDES)
    end

    def add(site)
      taken = site.static_files.map(&:relative_path).to_set
      files(site).each do |path, url|
        dir, name = File.split("/#{url}")
        next if taken.include?("/#{url}")

        site.static_files << PackageFile.new(site, path, dir, name)
      end
    end

    # [[path in the package or node_modules, URL path under the site]]
    def files(site)
      scripts = Dir.glob("**/*", base: SOURCE).reject do |rel|
        File.directory?(File.join(SOURCE, rel)) || PRIVATE.include?(File.basename(rel))
      end
      scripts.sort.map { |rel| [File.join(SOURCE, rel), "#{URL}/#{rel}"] }
    end

    # The figure styles, once, in the <head> of a page whose output shows a figure; and the
    # figures follow the page's colour schemes (see schemes).
    def style(doc)
      html = doc.output
      return unless html.is_a?(String) && html.include?(MARK) && !html.include?('id="nn-figures"')

      squeeze = ->(file) { File.read(file).gsub(%r{/\*.*?\*/}m, "").gsub(/\s*\n\s*/, "\n").strip }
      css = (@css ||= squeeze.call(STYLE))
      css += "\n#{@live_css ||= squeeze.call(LIVE_STYLE)}" if html.include?('data-nn-live="')
      html = light_only(html) unless schemes(doc.site, html).include?("dark")
      doc.output = html.sub(%r{</head>}i) { %(<style id="nn-figures">#{css}</style>\n</head>) }
    end

    DARK_SOURCE = /<source media="[^"]*prefers-color-scheme: dark[^"]*"[^>]*>\s*/.freeze
    COLOR_SCHEME = /<meta\s+name=["']color-scheme["']\s+content=["']([^"']*)["']/i.freeze

    # The schemes the page is drawn in: `nn_blog: {color_scheme: ...}` ("light", "light dark"),
    # or by default what the page's <meta name="color-scheme"> declares, and "light" when it
    # declares nothing (a light-only theme such as minima: a dark figure on its white page
    # would be unreadable).
    def schemes(site, html)
      setting = (site.config["nn_blog"] || {})["color_scheme"].to_s.strip
      setting = html[COLOR_SCHEME, 1].to_s if setting.empty? || setting == "auto"
      setting.empty? ? "light" : setting.downcase
    end

    # Drop the figures' dark sources and tell the live figures to draw in light colours.
    def light_only(html)
      html.gsub(%r{<figure class="nn-figure.*?</figure>}m) do |figure|
        figure.gsub(DARK_SOURCE, "").sub("<figure ", '<figure data-nn-scheme="light" ')
      end
    end
  end
end
