# frozen_string_literal: true

# Math typeset when the site is built, so no reader's browser runs MathJax.
#
# kramdown (math_engine: mathjax, its default) turns the posts' $$...$$ into \(...\) inline and
# \[...\] for display; this plugin replaces that engine with one that also marks what it wrote,
# <nn-math>\(...\)</nn-math> (NNMath.mark; captions, written by caption.rb, are marked the same
# way). After every page is rendered, this hook finds the marked math in each HTML page, and only
# that: a title, excerpt, card or attribute that merely contains "\(...\)" is text an author or a
# data file supplied, escaped where it is printed, and is never typeset (issue 20, row 4: an
# escaped title \(\href{javascript:...}{x}\) became a live link). It typesets what is not cached yet with MathJax 4's own Node
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
require "kramdown"
require "timeout"

module NNMath
  SCRIPT = File.join(__dir__, "math.mjs")
  FONTS = "/#{NNBlog::Assets::FONTS}"
  FONT_MARK = "@@NN_MATH_FONTS@@"
  # What the math engine below writes, and nothing else, is typeset.
  MATH = %r{<nn-math>(?:\\\[(.+?)\\\]|\\\((.+?)\\\))</nn-math>}m.freeze
  NODE_SECONDS = 600
  # MathJax's time grows faster than linearly with an expression's size (one 100 kB expression:
  # 193 s); no formula a reader can read is this long (issue 20, tooling row).
  MAX_TEX = 4096
  # Bumped when nn_math.mjs changes what it writes, so old cache entries are not reused.
  FORMAT = 5

  Expr = Struct.new(:tex, :display) do
    def key(version)
      Digest::SHA256.hexdigest("#{version}\0#{FORMAT}\0#{display}\0#{tex}")
    end

    def shown
      one_line = tex.gsub(/\s+/, " ").strip
      display ? "$$#{one_line}$$" : "$#{one_line}$"
    end
  end

  # kramdown's math engine (replacing its built-in mathjax one): the TeX, escaped, between the
  # delimiters MathJax reads, marked as math an author wrote.
  module Engine
    def self.call(_converter, element, options)
      display = element.options[:category] == :block
      html = NNMath.mark(element.value, display)
      display ? "#{' ' * options[:indent].to_i}#{html}\n" : html
    end
  end

  module_function

  def mark(tex, display)
    body = CGI.escapeHTML(tex.to_s)
    display ? "<nn-math>\\[#{body}\\]</nn-math>" : "<nn-math>\\(#{body}\\)</nn-math>"
  end

  # A page that is not typeset (not HTML: the feed, which prints a post's HTML escaped) keeps the TeX as text, without the marks.
  def unmark(text)
    text.gsub(%r{</?nn-math>}, "").gsub(%r{&lt;/?nn-math&gt;}, "")
  end

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
    html.scan(MATH).map { |block, inline| Expr.new(CGI.unescapeHTML(block || inline), !block.nil?) }
  end

  def replace(html, rendered)
    html.gsub(MATH) do
      block, inline = Regexp.last_match.captures
      rendered.fetch(Expr.new(CGI.unescapeHTML(block || inline), !block.nil?))
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
    typeset_wanted(site, wanted) unless wanted.empty?
    # What is not HTML keeps no marks (the feed's marked math is MathML by now)
    (site.pages + site.documents).each do |doc|
      doc.output = unmark(doc.output) if doc.output.is_a?(String) && doc.output_ext != ".html"
    end
  end

  def typeset_wanted(site, wanted)
    version = version(site)
    cache = Cache.new(ENV["NN_MATH_CACHE"] ||
                      File.join(site.source, ".jekyll-cache", "nn-math", "#{version}-#{FORMAT}.json"))
    missing = wanted.values.flatten.uniq.reject { |expr| cache.expr(expr.key(version)) }
    refuse_long(missing, wanted)
    typeset(missing, wanted, version, cache) unless missing.empty? && cache.base
    fonts = "#{site.config['baseurl'].to_s.chomp('/')}#{FONTS}"
    wanted.each do |doc, exprs|
      doc.output = if doc.output_ext == ".xml"
                     feed_output(doc.output, exprs.uniq, version, cache)
                   else
                     page_output(doc.output, exprs.uniq, version, cache, fonts)
                   end
    end
    # only what this build used is kept: a deleted or edited expression leaves the cache (a cache
    # shared by several sites, NN_MATH_CACHE as the specs set it, is left whole)
    cache.keep(wanted.values.flatten.map { |expr| expr.key(version) }) unless ENV["NN_MATH_CACHE"]
    cache.save
  end

  def refuse_long(missing, wanted)
    missing.each do |expr|
      next if expr.tex.bytesize <= MAX_TEX

      doc = wanted.find { |_, exprs| exprs.include?(expr) }.first
      fail!("#{doc.relative_path}: a math expression of #{expr.tex.bytesize} bytes, over the " \
            "#{MAX_TEX}-byte limit: #{expr.shown[0, 60]}...", doc.site)
    end
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
    reply = run_node(JSON.generate(request), wanted, missing)
    reply.fetch("results").zip(missing).each do |result, expr|
      if result["error"]
        doc = wanted.find { |_, exprs| exprs.include?(expr) }.first
        fail!("#{doc.relative_path}: cannot typeset #{expr.shown}: #{result['error']}", doc.site)
      end
      cache.put(expr.key(version), result["html"], result["css"])
    end
    cache.base = reply.fetch("base")
  end

  # A failed or timed-out run fails the build in one line (exit 2, no backtrace: the site is
  # passed) naming the pages whose math was being typeset.
  def run_node(stdin, wanted, missing)
    NNNode.run(SCRIPT, stdin, NODE_SECONDS)
  rescue NNNode::Failure => e
    docs = wanted.select { |_, exprs| exprs.intersect?(missing) }.keys
    names = docs.map(&:relative_path)
    shown = names.size > 3 ? "#{names.first(3).join(', ')} and #{names.size - 3} more" : names.join(", ")
    fail!("typesetting #{shown}: #{e.message}", docs.first&.site)
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

    # Forget every expression not in `keys`, and the CSS blocks nothing kept uses.
    def keep(keys)
      kept = @data["exprs"].slice(*keys)
      return if kept.size == @data["exprs"].size

      @data["exprs"] = kept
      used = (kept.values.flat_map { |entry| entry["css"] } + Array(base)).to_h { |id| [id, true] }
      @data["css"] = @data["css"].select { |id, _| used[id] }
      @changed = true
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

Kramdown::Converter.add_math_engine(:mathjax, NNMath::Engine)
