# frozen_string_literal: true

# Math typeset when the site is built, so no reader's browser runs MathJax.
#
# kramdown (math_engine: mathjax) turns the posts' $$...$$ into \(...\) inline and \[...\] for
# display. After every page is rendered, this hook finds those in each HTML page's text (not in
# pre, code, script, style, textarea), typesets what is not cached yet with MathJax 4's own Node
# API (math.mjs beside this file, one `node` process per build, argv form, JSON on stdin) and puts
# the CHTML (with assistive MathML for screen readers) in place, plus one <style> with the CSS
# those expressions need. Fonts come from the site itself (/assets/nn-blog/mathjax/, published
# from the Node packages by assets.rb).
#
# Every HTML page with math gets it, whatever its front matter says, so a post written for
# Minimal Mistakes with `mathjax: true` works unchanged, and no reader's browser runs MathJax.
#
# The Atom feed (jekyll-feed's feed.xml) carries each post's HTML before this hook typesets it, so
# a feed reader would show raw TeX. Its entries' <content> gets MathML only (the <math> MathJax
# writes for screen readers, from the same cache): feed readers render MathML and drop the page's
# CHTML styles and fonts (issue 21).
#
# The cache (.jekyll-cache/nn-math/VERSION-FORMAT.json, or $NN_MATH_CACHE) is keyed by MathJax's
# version, display mode and the TeX, so a warm build starts no node at all. TeX MathJax cannot parse fails the build with
# one line naming the page and the expression.
require "cgi"
require "digest"
require "fileutils"
require "json"
require "timeout"

module NNMath
  SCRIPT = File.join(__dir__, "math.mjs")
  FONTS = "/#{NNBlog::Assets::FONTS}"
  FONT_MARK = "@@NN_MATH_FONTS@@"
  # Text outside these elements is searched for math; tags and comments are copied as they are.
  TOKENS = %r{<(pre|code|script|style|textarea|title|math|svg)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>|[^<]+}im
    .freeze
  MATH = /\\\[(.+?)\\\]|\\\((.+?)\\\)/m.freeze
  NODE_SECONDS = 600
  # Bumped when nn_math.mjs changes what it writes, so old cache entries are not reused.
  FORMAT = 3

  Expr = Struct.new(:tex, :display) do
    def key(version)
      Digest::SHA256.hexdigest("#{version}\0#{FORMAT}\0#{display}\0#{tex}")
    end

    def shown
      one_line = tex.gsub(/\s+/, " ").strip
      display ? "$$#{one_line}$$" : "$#{one_line}$"
    end
  end

  module_function

  def fail!(message, site = nil)
    NNNode.fail!("nn_math", message, site)
  end

  def version(site)
    NNNode.package_version(site, "mathjax") ||
      fail!(NNNode.missing("MathJax"), site)
  end

  def pages(site)
    (site.pages + site.documents).select do |doc|
      doc.output.is_a?(String) && doc.output_ext == ".html"
    end
  end

  # Each page's expressions, in order; a page without math is left out.
  def scan(html)
    found = []
    html.scan(TOKENS) do
      token = Regexp.last_match(0)
      next if token.start_with?("<")

      token.scan(MATH) do |block, inline|
        found << Expr.new(CGI.unescapeHTML(block || inline), !block.nil?)
      end
    end
    found
  end

  def replace(html, rendered)
    html.gsub(TOKENS) do |token|
      next token if token.start_with?("<")

      token.gsub(MATH) do
        block, inline = Regexp.last_match.captures
        rendered.fetch(Expr.new(CGI.unescapeHTML(block || inline), !block.nil?))
      end
    end
  end

  # An Atom entry's HTML: <content type="html"> as jekyll-feed writes it, in CDATA.
  FEED_CONTENT = %r{(<content\b[^>]*><!\[CDATA\[)(.*?)(\]\]></content>)}m.freeze
  MATHML = %r{<math\b.*?</math>}m.freeze

  def feeds(site)
    site.pages.select do |page|
      page.output.is_a?(String) && page.output_ext == ".xml" && page.output.include?("<feed")
    end
  end

  def feed_scan(xml)
    xml.scan(FEED_CONTENT).flat_map { |_, html, _| scan(html) }
  end

  def typeset_site(site)
    wanted = pages(site).to_h { |doc| [doc, scan(doc.output)] }
    wanted.merge!(feeds(site).to_h { |feed| [feed, feed_scan(feed.output)] })
    wanted.reject! { |_, exprs| exprs.empty? }
    return if wanted.empty?

    version = version(site)
    cache = Cache.new(ENV["NN_MATH_CACHE"] ||
                      File.join(site.source, ".jekyll-cache", "nn-math", "#{version}-#{FORMAT}.json"))
    missing = wanted.values.flatten.uniq.reject { |expr| cache.expr(expr.key(version)) }
    typeset(missing, wanted, version, cache) unless missing.empty? && cache.base
    fonts = "#{site.config['baseurl'].to_s.chomp('/')}#{FONTS}"
    wanted.each do |doc, exprs|
      doc.output = if doc.output_ext == ".xml"
                     feed_output(doc.output, exprs.uniq, version, cache)
                   else
                     page_output(doc.output, exprs.uniq, version, cache, fonts)
                   end
    end
    cache.save
  end

  # The feed's entries with each expression as its MathML alone (inside CDATA: no escaping).
  def feed_output(xml, exprs, version, cache)
    mathml = exprs.to_h { |expr| [expr, cache.expr(expr.key(version))["html"][MATHML]] }
    missing = mathml.find { |_, math| math.nil? }
    fail!("feed: no MathML for #{missing[0].shown} in MathJax's output") if missing
    xml.gsub(FEED_CONTENT) { "#{Regexp.last_match(1)}#{replace(Regexp.last_match(2), mathml)}#{Regexp.last_match(3)}" }
  end

  def page_output(html, exprs, version, cache, fonts)
    entries = exprs.to_h { |expr| [expr, cache.expr(expr.key(version))] }
    css = (cache.base + entries.values.flat_map { |entry| entry["css"] }).uniq
    style = %(<style id="nn-math">#{cache.css(css).join("\n").gsub(FONT_MARK, fonts)}</style>\n)
    out = replace(html, entries.transform_values { |entry| entry["html"] })
    out.sub(%r{</head>}i) { "#{style}</head>" }
  end

  def typeset(missing, wanted, version, cache)
    Jekyll.logger.info "nn_math:", "typesetting #{missing.size} expression(s) with MathJax #{version}"
    request = { "fontURL" => FONT_MARK, "exprs" => missing.map { |e| { "tex" => e.tex, "display" => e.display } } }
    reply = run_node(JSON.generate(request))
    reply.fetch("results").zip(missing).each do |result, expr|
      if result["error"]
        doc = wanted.find { |_, exprs| exprs.include?(expr) }.first
        fail!("#{doc.relative_path}: cannot typeset #{expr.shown}: #{result['error']}", doc.site)
      end
      cache.put(expr.key(version), result["html"], result["css"])
    end
    cache.base = reply.fetch("base")
  end

  def run_node(stdin)
    NNNode.run(SCRIPT, stdin, NODE_SECONDS)
  rescue NNNode::Failure => e
    fail!(e.message)
  end

  # expressions -> {"html", "css" => [block ids]}, block id -> CSS text, and the base sheet.
  class Cache
    def initialize(path)
      @path = path
      @data = File.file?(path) ? JSON.parse(File.read(path)) : {}
      @data = {} unless @data.is_a?(Hash)
      @data["exprs"] ||= {}
      @data["css"] ||= {}
      @changed = false
    rescue JSON::ParserError
      @data = { "exprs" => {}, "css" => {} }
      @changed = true
    end

    def expr(key)
      @data["exprs"][key]
    end

    def put(key, html, blocks)
      @data["exprs"][key] = { "html" => html, "css" => ids(blocks) }
      @changed = true
    end

    def base
      @data["base"]
    end

    def base=(blocks)
      @data["base"] = ids(blocks)
      @changed = true
    end

    def css(ids)
      ids.map { |id| @data["css"].fetch(id) }
    end

    def save
      return unless @changed

      FileUtils.mkdir_p(File.dirname(@path))
      tmp = "#{@path}.#{Process.pid}.tmp"
      File.write(tmp, JSON.generate(@data))
      File.rename(tmp, @path)
      @changed = false
    end

    private

    def ids(blocks)
      blocks.map do |block|
        id = Digest::SHA1.hexdigest(block)[0, 16]
        @data["css"][id] = block
        id
      end
    end
  end
end
