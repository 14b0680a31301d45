# frozen_string_literal: true

# The Jekyll side of nn-blog. It only reads what the Python package generated
# (_data/generated/*.json) and, before a build, asks that package to render stale figures.
#
#   {% nn_figure NAME [loading=eager] [class=wide] [show=animation] %}
#       the figure NAME from the manifest, through _includes/figure.html (show=animation: its GIF,
#       behind a link that plays it in place, so the page does not download it unasked)
#   {{ site.data.generated.results.networks.moons.test_accuracy | nn_percent: 1 }}   -> 97.6%
#   {{ x | nn_number: 3 }}                  fixed decimals
#   {% assign show = page.toc | nn_true %}  true, "true", "yes" -> true; false, "false", nil -> false
#   {{ text | nn_strip_math }}              drop \( \) \[ \] $$ (card text, meta descriptions)
#   {{ content | nn_toc }}                  nested list of the content's two top heading levels
#   {% assign posts = page | nn_related: 4 %} posts sharing tags with the page, then the newest
#   {{ include.alt | nn_required: "figure.html: alt" }}  fail the build when a value is missing
require "cgi"

module NNBlog
  MATH_DELIMITERS = /\\[()\[\]]|\$\$/.freeze

  # --- build hook: `nn-blog render` before the site is read ---------------------------------
  module Render
    module_function

    # Once per process (`jekyll serve` regenerates without initialising its site again; RSpec
    # builds many sites and calls reset!). Says once why it did not render.
    def before_build(site)
      return if @done

      @done = true
      reason = skip_reason(site.config.fetch("nn_blog", {}) || {})
      return Jekyll.logger.info("nn_blog:", reason) if reason

      Jekyll.logger.info "nn_blog:", "rendering stale figures (nn-blog render)"
      # argv form: no shell ever sees the command.
      return if system(executable, "render", chdir: site.source)

      raise Jekyll::Errors::FatalException,
            "nn_blog: `nn-blog render` failed (exit #{$?&.exitstatus})"
    end

    def skip_reason(config)
      on_disk = "building from the figures on disk"
      return "nn_blog.render_on_build is off: #{on_disk}" unless config["render_on_build"]
      return "nn-blog is not on the PATH: #{on_disk}" unless executable
      return "NN_BLOG_SKIP_RENDER=1: #{on_disk}" if ENV["NN_BLOG_SKIP_RENDER"] == "1"

      nil
    end

    def executable
      ENV.fetch("PATH", "").split(File::PATH_SEPARATOR).map { |dir| File.join(dir, "nn-blog") }
        .find { |path| File.file?(path) && File.executable?(path) }
    end

    def reset!
      @done = false
    end
  end

  # --- {% nn_figure NAME %} ----------------------------------------------------------------
  class FigureTag < Liquid::Tag
    OPTIONS = %w(loading class caption show).freeze
    INCLUDE = "{% include figure.html image_path=nn_figure.image_path dark_path=nn_figure.dark_path " \
              "alt=nn_figure.alt caption=nn_figure.caption width=nn_figure.width " \
              "height=nn_figure.height loading=nn_figure.loading class=nn_figure.class " \
              "on_demand=nn_figure.on_demand on_demand_hide=nn_figure.on_demand_hide " \
              "file_size=nn_figure.file_size %}"
    TEMPLATE = Liquid::Template.parse(INCLUDE)

    def initialize(tag_name, markup, parse_context)
      super
      @name, *options = markup.split
      raise Liquid::SyntaxError, "nn_figure: usage {% nn_figure NAME [key=value ...] %}" unless @name

      @options = options.to_h { |option| option.split("=", 2).map { |s| s.to_s.delete("\"'") } }
      unknown = @options.keys - OPTIONS
      return if unknown.empty?

      raise Liquid::SyntaxError, "nn_figure #{@name}: unknown option #{unknown.join(', ')}"
    end

    def render(context)
      figures = context.registers[:site].data.dig("generated", "figures") || {}
      entry = figures[@name]
      unless entry
        known = figures.empty? ? "(none: run nn-blog render)" : figures.keys.sort.join(", ")
        raise ArgumentError, "nn_figure: unknown figure '#{@name}' (not in " \
                             "_data/generated/figures.json); known figures: #{known}"
      end
      context.stack do
        context["nn_figure"] = params(entry, context.registers[:site].source)
        TEMPLATE.render!(context)
      end
    end

    private

    # SVG first: sharp at any zoom; the PNG is the fallback when a kind has no vector form.
    def params(entry, source)
      light = entry["light"] || {}
      dark = entry["dark"] || {}
      image = light["svg"] || light["png"]
      dark_image = dark["svg"] || dark["png"]
      params = { "image_path" => image, "dark_path" => dark_image, "alt" => entry["alt"],
                 "caption" => @options["caption"] || entry["caption"], "width" => entry["width"],
                 "height" => entry["height"], "loading" => @options["loading"], "class" => @options["class"] }
      @options["show"] == "animation" ? params.merge(animation(entry, source)) : params
    end

    # The GIF is large: the page offers it behind a link instead of loading it (figure.html's
    # on_demand), sized from the file's own header (its logical screen: width, height at bytes 6-9).
    def animation(entry, source)
      gif = entry.dig("extra", "gif") || raise(ArgumentError, "nn_figure #{@name}: no animation")
      file = File.join(source, gif)
      width, height = File.file?(file) ? File.binread(file, 10).unpack("x6vv") : [nil, nil]
      { "image_path" => gif, "dark_path" => nil, "width" => width, "height" => height,
        "on_demand" => "Play the animation", "on_demand_hide" => "Hide the animation",
        "file_size" => File.file?(file) ? "GIF, #{NNBlog.kilobytes(File.size(file))}" : nil }
    end
  end

  # --- filters -------------------------------------------------------------------------------
  module Filters
    HEADING = %r{<h([1-6])\b[^>]*?\bid="([^"]+)"[^>]*>(.*?)</h\1>}m.freeze

    def nn_percent(value, digits = 1)
      format("%.#{Integer(digits)}f%%", NNBlog.number(value, "nn_percent") * 100)
    end

    def nn_number(value, digits = 2)
      format("%.#{Integer(digits)}f", NNBlog.number(value, "nn_number"))
    end

    # Liquid treats the string "false" as true; front matter flags go through this.
    def nn_true(value)
      value = value.strip.downcase if value.is_a?(String)
      [true, "true", "yes", "on", 1, "1"].include?(value)
    end

    def nn_strip_math(text)
      NNBlog.strip_math(text)
    end

    def nn_required(value, what)
      raise ArgumentError, "#{what} is required" if value.nil? || value.to_s.strip.empty?

      value
    end

    # The two shallowest heading levels in the page, nested: enough to find your way.
    def nn_toc(html)
      heads = html.to_s.scan(HEADING).map do |level, id, inner|
        [level.to_i, id, inner.gsub(/<[^>]+>/, "").strip]
      end
      levels = heads.map(&:first).uniq.sort.first(2)
      tree = []
      heads.select { |head| levels.include?(head[0]) }.each do |level, id, text|
        node = { "id" => id, "text" => text, "children" => [] }
        level == levels[1] && tree.any? ? tree.last["children"] << node : tree << node
      end
      NNBlog.toc_list(tree)
    end

    def nn_related(page, limit = 4)
      tags = Array(page["tags"])
      others = @context.registers[:site].posts.docs.reject { |post| post.url == page["url"] }
      others.sort_by { |post| [-(Array(post.data["tags"]) & tags).size, -post.date.to_f] }
        .first(Integer(limit))
    end
  end

  module_function

  def number(value, filter)
    return value if value.is_a?(Numeric)

    Float(value)
  rescue ArgumentError, TypeError
    raise ArgumentError, "#{filter}: expected a number, got #{value.inspect} (a missing result?)"
  end

  def kilobytes(bytes)
    "#{(bytes / 1000.0).round} kB"
  end

  def strip_math(text)
    text.to_s.gsub(MATH_DELIMITERS, "").gsub(/\s+/, " ").strip
  end

  def toc_list(nodes)
    return "" if nodes.empty?

    items = nodes.map do |node|
      %(<li><a href="##{node['id']}">#{node['text']}</a>#{toc_list(node['children'])}</li>)
    end
    "<ul>#{items.join}</ul>"
  end

  # SEO: a description from the excerpt (math delimiters dropped) and a social image from the
  # header, for pages written with Minimal Mistakes' front matter.
  def seo_defaults(doc, payload)
    data = doc.data
    header = data["header"].is_a?(Hash) ? data["header"] : {}
    image = data["image"] || header["og_image"] || header["image"] || header["overlay_image"] ||
            header["teaser"]
    description = data["description"] || plain_excerpt(doc)
    # A post's payload is a drop that reads its data live; a page's is a Hash copied earlier.
    [data, payload["page"]].uniq.each do |target|
      next unless target.is_a?(Hash)

      target["image"] = image if image
      target["description"] = description if description
    end
  end

  def plain_excerpt(doc)
    excerpt = doc.data["excerpt"]
    return if excerpt.nil?

    # A front-matter excerpt is Markdown; a generated one renders (and caches) its own HTML.
    html = if excerpt.is_a?(String)
             doc.site.find_converter_instance(Jekyll::Converters::Markdown).convert(excerpt)
           else
             excerpt.output
           end
    plain = strip_math(CGI.unescapeHTML(html.to_s.gsub(/<[^>]+>/, " ")))
    plain.empty? ? nil : plain
  end
end

Liquid::Template.register_tag("nn_figure", NNBlog::FigureTag)
Liquid::Template.register_filter(NNBlog::Filters)
Jekyll::Hooks.register(:site, :after_init) { |site| NNBlog::Render.before_build(site) }
Jekyll::Hooks.register([:pages, :documents], :pre_render) do |doc, payload|
  NNBlog.seo_defaults(doc, payload)
end
