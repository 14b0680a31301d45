# frozen_string_literal: true

# This blog's own theme helpers (nn-blog's plugin is loaded by _plugins/nn_blog.rb from the
# installed package; nothing here reads what the Python package generated).
#
#   {% assign show = page.toc | nn_true %}  true, "true", "yes" -> true; false, "false", nil -> false
#   {{ text | nn_strip_math }}              drop \( \) \[ \] $$ (card text, meta descriptions)
#   {{ post.excerpt | nn_excerpt_text: post, 40 }}  the excerpt as escaped plain text, 40 words
#   {{ content | nn_toc }}                  nested list of the content's two top heading levels
#   {% assign posts = page | nn_related: 4 %} posts sharing tags with the page, then the newest
#   SEO defaults: a plain description (<= 160 characters; a post's first paragraph when its
#   excerpt reads as tags) and a social image for every page and post
#   accessible markup: two fixes to kramdown's and rouge's HTML that axe-core asks for
#   code lines: each line of a rouge block in <span class="line"> (wrapped on a phone)
require "cgi"

module NNBlog
  MATH_DELIMITERS = /\\[()\[\]]|\$\$/.freeze

  module ThemeFilters
    HEADING = %r{<h([1-6])\b[^>]*?\bid="([^"]+)"[^>]*>(.*?)</h\1>}m.freeze

    # Liquid treats the string "false" as true; front matter flags go through this.
    def nn_true(value)
      value = value.strip.downcase if value.is_a?(String)
      [true, "true", "yes", "on", 1, "1"].include?(value)
    end

    def nn_strip_math(text)
      NNBlog.strip_math(text)
    end

    # A post's excerpt (as Liquid prints it: `post.excerpt`) as plain text, escaped here, where it
    # is printed: a generated excerpt is HTML, read as text; one from the post's front matter is
    # text with inline Markdown (raw HTML in it shows as written: "a<b and c>d" stays that, and
    # `<img src=x onerror=... x` is not a tag; strip_html was no escape, issue 20 row 6).
    # Liquid renders the excerpt before this filter runs, so an error in it names its own post.
    def nn_excerpt_text(text, post, words = 40)
      data = post.respond_to?(:fallback_data, true) ? post.send(:fallback_data) : post
      front_matter = data.respond_to?(:[]) && data["excerpt"].is_a?(String)
      plain = NNBlog.excerpt_text(front_matter ? text.to_s : Html.new(text.to_s)).to_s
      count = NNBlog.digits_or_count(words, "nn_excerpt_text")
      list = plain.split
      plain = "#{list.first(count).join(' ')}..." if list.size > count
      CGI.escapeHTML(plain)
    end

    # HTML already rendered (a generated excerpt, as Liquid printed it).
    Html = Struct.new(:to_s)

    # A front-matter value printed inside a style attribute (header.overlay_color,
    # overlay_filter): a colour, a number or a gradient of those, nothing that could end the
    # declaration, load a URL or run; anything else fails the build naming the field.
    def nn_css_value(value, what)
      text = value.to_s.strip
      return text if CSS_VALUE.match?(text) && !text.match?(/url|expression|image-set|attr/i)

      raise ArgumentError, "#{what}: #{value.to_s.inspect} is not a colour, number or gradient"
    end

    # An image address printed inside url('...') in a style attribute (header.overlay_image).
    def nn_css_url(value, what)
      text = nn_safe_url(value, what).to_s
      return text unless text.match?(/['"()\\\s<>]/)

      raise ArgumentError, "#{what}: #{value.to_s.inspect} has a quote, bracket, backslash or space"
    end

    CSS_VALUE = /\A[#\w\s.,%()\/+-]*\z/.freeze

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
      count = NNBlog.digits_or_count(limit, "nn_related")
      tags = Array(page["tags"])
      others = @context.registers[:site].posts.docs.reject { |post| post.url == page["url"] }
      others.sort_by { |post| [-(Array(post.data["tags"]) & tags).size, -post.date.to_f] }
        .first(count)
    end
  end

  module_function

  def digits_or_count(value, filter)
    count = Integer(value)
    raise ArgumentError if count.negative?

    count
  rescue ArgumentError, TypeError
    raise ArgumentError, "#{filter}: expected a count (an integer >= 0), got #{value.inspect}"
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

  # A summary for sharing (og:description, <meta name="description">, the feed's <summary>, which
  # jekyll-feed takes from post.description): plain text, at most this many characters.
  SUMMARY_LENGTH = 160

  # SEO: a description from the excerpt (math delimiters dropped) and a social image from the
  # header, for pages written with Minimal Mistakes' front matter. An excerpt that reads as tags
  # ("Neural Network, Deep Learning") is no summary: a post's first paragraph replaces it, once
  # the post is converted (first_paragraph_description, at :post_convert).
  def seo_defaults(doc, payload)
    data = doc.data
    header = data["header"].is_a?(Hash) ? data["header"] : {}
    image = data["image"] || header["og_image"] || header["image"] || header["overlay_image"] ||
            header["teaser"]
    description = data["description"] ? summary(data["description"]) : plain_excerpt(doc)
    # A post's payload is a drop that reads its data live; a page's is a Hash copied earlier.
    [data, payload["page"]].uniq.each do |target|
      next unless target.is_a?(Hash)

      target["image"] = image if image
      target["description"] = description if description
    end
  end

  def plain_excerpt(doc)
    excerpt = doc.data["excerpt"]
    excerpt.output unless excerpt.nil? || excerpt.is_a?(String) # a generated one renders (cached)
    plain = excerpt_text(excerpt)
    plain.nil? || plain.empty? || tags_like?(plain) ? nil : summary(plain)
  end

  def plain_text(html)
    strip_math(CGI.unescapeHTML(html.to_s.gsub(/<[^>]+>/, " ")))
  end

  # Tags, not a sentence: fewer than 8 words and no sentence end, or a comma list of capitalised
  # terms of at most three words each ("Neural Network, NumPy, Performance").
  def tags_like?(text)
    words = text.split
    return true if words.size < 8 && text !~ /[.!?:]/

    terms = text.split(",").map(&:strip)
    terms.size >= 2 && terms.all? { |term| term.match?(/\A[[:upper:]]/) && term.split.size <= 3 }
  end

  # Plain text cut to SUMMARY_LENGTH at a word, with an ellipsis when cut.
  def summary(text, limit = SUMMARY_LENGTH)
    text = text.to_s.gsub(/\s+/, " ").strip
    return text if text.length <= limit

    cut = text[0, limit].rpartition(" ").first
    cut = text[0, limit - 1] if cut.empty?
    "#{cut.sub(/[\s,;:.\u2013\u2014-]+\z/, '')}\u2026"
  end

  # The post's first paragraph with text, once converted (Liquid done, Markdown to HTML), for a
  # post without a description of its own: its payload reads data live, so the layout's SEO tags
  # and the feed (rendered after the posts) see it.
  def first_paragraph_description(doc)
    return if doc.data["description"] || !doc.respond_to?(:collection)

    doc.content.to_s.scan(%r{<p\b[^>]*>(.*?)</p>}m) do |(inner)|
      plain = plain_text(inner)
      next if plain.empty?

      doc.data["description"] = summary(plain)
      break
    end
  end

  # An excerpt as plain text (not escaped), math delimiters dropped. One from the front matter (a
  # String) is text with inline Markdown, read the way captions are (no raw HTML); a generated
  # one is its HTML (to_s, as Liquid prints it), read as text.
  def excerpt_text(excerpt)
    return nil if excerpt.nil?

    html = excerpt.is_a?(String) ? NNBlog::Caption.html(excerpt) : excerpt.to_s
    # (the math marks, NNMath.mark, sit inside the text: they go without a space)
    plain_text(html.gsub(%r{</?nn-math>}, ""))
  end

  # Two fixes to kramdown's and rouge's markup that axe-core asks for, on every rendered page:
  # - a code block that scrolls sideways (79 columns on a phone) must be reachable by keyboard:
  #   tabindex="0" on rouge's <pre class="highlight"> (scrollable-region-focusable);
  # - footnotes: doc-noteref belongs on the link, not its <sup> (aria-allowed-role), and
  #   doc-endnote is deprecated (aria-deprecated-role).
  MARKUP_FIXES = [
    ['<pre class="highlight">', '<pre class="highlight" tabindex="0">'],
    [/<sup id="(fnref:[^"]*)" role="doc-noteref">\s*<a /, '<sup id="\\1"><a role="doc-noteref" '],
    [/(<li id="fn:[^"]*") role="doc-endnote"/, '\\1'],
  ].freeze

  def accessible_markup(doc)
    return unless doc.output.is_a?(String) && doc.output_ext == ".html"

    html = code_lines(doc.output)
    doc.output = MARKUP_FIXES.reduce(html) { |out, (from, to)| out.gsub(from, to) }
  end

  # Reading time, one number per page: page-meta.html leaves a placeholder naming the page
  # (data-nn-read-time="URL") wherever a reading time shows, on the page itself and on every
  # card for it; once every page is rendered, each such page's minutes are computed once from
  # its rendered content by _includes/read-time.html, kept as page.data["read_minutes"], and
  # written into every placeholder. (Computed while a card rendered, a post not yet rendered
  # was counted from its Markdown: 13 minutes on the card, 14 on the page.)
  READ_TIME = %r{<span class="page-meta__read-time" data-nn-read-time="([^"]*)"></span>}.freeze
  READ_TEMPLATE = "{% include read-time.html content=nn_read_content %}"

  def read_times(site, payload)
    docs = (site.pages + site.documents).select { |d| d.output.is_a?(String) }
    by_url = docs.each_with_object({}) { |d, h| h[d.url] ||= d }
    template = Liquid::Template.parse(READ_TEMPLATE)
    shown = {}
    docs.each do |doc|
      next unless doc.output.include?("data-nn-read-time=")

      doc.output = doc.output.gsub(READ_TIME) do
        url = CGI.unescapeHTML(Regexp.last_match(1))
        shown[url] ||= read_time_of(by_url[url], url, template, site, payload)
        %(<span class="page-meta__read-time">#{CGI.escapeHTML(shown[url])}</span>)
      end
    end
  end

  def read_time_of(doc, url, template, site, payload)
    raise ArgumentError, "page-meta.html: no page at #{url.inspect} for its reading time" unless doc

    text = template.render!(payload.merge("nn_read_content" => doc.content.to_s),
                            registers: { site: site, page: {} }).strip
    doc.data["read_minutes"] = text[/\A\d+/].to_i
    text
  end

  # Code on a phone: each source line of rouge's output in its own
  # <span class="line" data-indent="N"> (N: its leading spaces, in steps of 4, at most 24), so
  # that below 600 px a line too long for the column wraps with a hanging indent past its own
  # indentation and a mark beside its continuation rows (assets/css/main.css). A token that spans
  # lines (a docstring) is closed at each line's end and reopened on the next. Each line keeps
  # its newline inside it: the text, what a reader copies, and innerText are the source.
  CODE_BLOCK = %r{(<pre class="highlight"[^>]*><code[^>]*>)(.*?)(</code></pre>)}m.freeze
  MAX_INDENT = 24

  def code_lines(html)
    html.gsub(CODE_BLOCK) { "#{Regexp.last_match(1)}#{lines_of(Regexp.last_match(2))}#{Regexp.last_match(3)}" }
  end

  def lines_of(code)
    return code if code.include?('<span class="line"')

    open = []
    lines = [+""]
    code.scan(%r{<[^>]*>|[^<]+}) do |token|
      if token.start_with?("</")
        open.pop
        lines.last << token
      elsif token.start_with?("<")
        open.push(token)
        lines.last << token
      else
        token.split("\n", -1).each_with_index do |part, i|
          if i.positive?
            lines.last << "\n" << ("</span>" * open.size)
            lines << open.join.dup
          end
          lines.last << part
        end
      end
    end
    lines.pop if lines.size > 1 && lines.last == open.join # after the last newline: nothing
    lines.map do |line|
      text = CGI.unescapeHTML(line.gsub(/<[^>]*>/, ""))
      indent = [text[/\A */].size / 4 * 4, MAX_INDENT].min
      %(<span class="line" data-indent="#{indent}">#{line}</span>)
    end.join
  end
end

Liquid::Template.register_filter(NNBlog::ThemeFilters)
Jekyll::Hooks.register([:pages, :documents], :pre_render) do |doc, payload|
  NNBlog.seo_defaults(doc, payload)
end
Jekyll::Hooks.register(:documents, :post_convert) { |doc| NNBlog.first_paragraph_description(doc) }
Jekyll::Hooks.register([:pages, :documents], :post_render) { |doc| NNBlog.accessible_markup(doc) }
# before the math is typeset (nn_blog.rb's :site hook): the reading time counts a formula as TeX
Jekyll::Hooks.register(:site, :post_render, priority: :high) do |site, payload|
  NNBlog.read_times(site, payload)
end
