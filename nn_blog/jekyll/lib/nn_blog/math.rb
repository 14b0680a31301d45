# frozen_string_literal: true

# Math typeset when the site is built, so no reader's browser runs MathJax.
#
# kramdown (math_engine: mathjax, its default) turns the posts' $$...$$ into \(...\) inline and
# \[...\] for display; this plugin replaces that engine with one that also marks what it wrote,
# <nn-math>\(...\)</nn-math> (NNMath.mark; captions, written by caption.rb, are marked the same
# way). After every page is rendered, this hook finds the marked math in each HTML page, and only
# that: a title, excerpt, card or attribute that merely contains "\(...\)" is text an author or a
# data file supplied, escaped where it is printed, and is never typeset (issue 20, row 4: an
# escaped title \(\href{javascript:...}{x}\) became a live link). It typesets what is not cached
# yet with MathJax 4's own Node API (math.mjs beside this file, one `node` process per build,
# argv form, JSON on stdin) and puts MathML in its place. Every current browser lays MathML out
# itself (MathML Core), so a formula is one <math> element: no script, no per-character CSS, no
# second copy for screen readers (they read MathML). Before, MathJax's CHTML made the main post
# 531 kB of HTML, most of it math, whose parsing and layout blocked a phone's main thread for
# 100-250 ms; as MathML it is 225 kB (issue 19). A page with math gets one small <style>
# (nn_blog/jekyll/assets/nn-math.css) and the site's math font (MathFont, below).
#
# Every HTML page with math gets it, whatever its front matter says, so a post written for
# Minimal Mistakes with `mathjax: true` works unchanged, and no reader's browser runs MathJax.
#
# The Atom feed (jekyll-feed's feed.xml) carries each post's HTML before this hook typesets it, so
# a feed reader would show raw TeX. Its entries' <content> gets the same MathML (issue 21).
#
# The cache (.jekyll-cache/nn-math/VERSION-FORMAT.json, or $NN_MATH_CACHE) is keyed by MathJax's
# version, display mode and the TeX, so a warm build starts no node at all. TeX MathJax cannot
# parse fails the build with one line naming the page and the expression.
require "cgi"
require "digest"
require "fileutils"
require "json"
require "kramdown"
require "open3"
require "timeout"

module NNMath
  SCRIPT = File.join(__dir__, "math.mjs")
  STYLE = File.join(NNBlog::Assets::SOURCE, "nn-math.css")
  # What the math engine below writes, and nothing else, is typeset.
  MATH = %r{<nn-math>(?:\\\[(.+?)\\\]|\\\((.+?)\\\))</nn-math>}m.freeze
  NODE_SECONDS = 600
  # MathJax's time grows faster than linearly with an expression's size (one 100 kB expression:
  # 193 s); no formula a reader can read is this long (issue 20, tooling row).
  MAX_TEX = 4096
  # Bumped when math.mjs changes what it writes, so old cache entries are not reused.
  FORMAT = 7

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
    folder = cache_folder(site)
    cache = Cache.new(ENV["NN_MATH_CACHE"] || File.join(folder, "#{version}-#{FORMAT}.json"))
    missing = wanted.values.flatten.uniq.reject { |expr| cache.expr(expr.key(version)) }
    refuse_long(missing, wanted)
    typeset(missing, wanted, version, cache) unless missing.empty?
    style = page_style(site, wanted, version, cache, folder)
    wanted.each do |doc, exprs|
      doc.output = if doc.output_ext == ".xml"
                     feed_output(doc.output, exprs.uniq, version, cache)
                   else
                     page_output(doc.output, exprs.uniq, version, cache, style)
                   end
    end
    # only what this build used is kept: a deleted or edited expression leaves the cache (a cache
    # shared by several sites, NN_MATH_CACHE as the specs set it, is left whole)
    cache.keep(wanted.values.flatten.map { |expr| expr.key(version) }) unless ENV["NN_MATH_CACHE"]
    cache.save
    forget_other_formats(folder, cache.path) unless ENV["NN_MATH_CACHE"]
  end

  # What every page with math gets in its <head>: the math font (one for the whole site, for the
  # characters of all the pages' math, so a reader's browser caches it once), preloaded, and
  # nn-math.css.
  def page_style(site, wanted, version, cache, folder)
    on_pages = wanted.reject { |doc, _| doc.output_ext == ".xml" }.values.flatten.uniq
    return "" if on_pages.empty?

    chars = on_pages.flat_map { |expr| cache.expr(expr.key(version))["chars"].chars }
    url = MathFont.url(site, chars, folder)
    return %(<style id="nn-math">#{css}</style>\n) unless url

    # optional, not swap: MathML is laid out with the font's own metrics, so a font arriving
    # after the text is drawn would move every line with math in it (CLS 0.08 on slow 3G). The
    # preload fetches it with the page, so it is there for the first layout on any usual
    # connection; when it is not, this page keeps the reader's own math font and the next one
    # uses the cached copy.
    %(<link rel="preload" href="#{url}" as="font" type="font/woff" crossorigin>\n) +
      %(<style id="nn-math">@font-face{font-family:"NN Math";src:url("#{url}") format("woff");) +
      %(font-display:optional}\n#{css}</style>\n)
  end

  # A cache of another MathJax version or output format is never read again.
  def forget_other_formats(folder, current)
    Dir.glob(File.join(folder, "*.json")).each { |old| File.delete(old) unless old == current }
  end

  def refuse_long(missing, wanted)
    missing.each do |expr|
      next if expr.tex.bytesize <= MAX_TEX

      doc = wanted.find { |_, exprs| exprs.include?(expr) }.first
      fail!("#{doc.relative_path}: a math expression of #{expr.tex.bytesize} bytes, over the " \
            "#{MAX_TEX}-byte limit: #{expr.shown[0, 60]}...", doc.site)
    end
  end

  # Where the cache and the math fonts live: .jekyll-cache/nn-math/, or beside $NN_MATH_CACHE
  # in a folder of its own (NN_MATH_CACHE.fonts/).
  def cache_folder(site)
    return "#{ENV['NN_MATH_CACHE']}.fonts" if ENV["NN_MATH_CACHE"]

    File.join(site.source, ".jekyll-cache", "nn-math")
  end

  # The feed's entries with each expression as its MathML (inside CDATA: no escaping).
  def feed_output(xml, exprs, version, cache)
    mathml = exprs.to_h { |expr| [expr, cache.expr(expr.key(version))["html"]] }
    xml.gsub(FEED_CONTENT) { "#{Regexp.last_match(1)}#{replace(Regexp.last_match(2), mathml)}#{Regexp.last_match(3)}" }
  end

  def page_output(html, exprs, version, cache, style)
    out = replace(html, exprs.to_h { |expr| [expr, cache.expr(expr.key(version))["html"]] })
    out.sub(%r{</head>}i) { "#{style}</head>" }
  end

  # The math styles (nn-math.css), comments and indentation squeezed out.
  def css
    @css ||= File.read(STYLE).gsub(%r{/\*.*?\*/}m, "").gsub(/\s*\n\s*/, "\n").strip
  end

  def typeset(missing, wanted, version, cache)
    Jekyll.logger.info "nn_math:", "typesetting #{missing.size} expression(s) with MathJax #{version}"
    request = { "exprs" => missing.map { |e| { "tex" => e.tex, "display" => e.display } } }
    reply = run_node(JSON.generate(request), wanted, missing)
    reply.fetch("results").zip(missing).each do |result, expr|
      if result["error"]
        doc = wanted.find { |_, exprs| exprs.include?(expr) }.first
        fail!("#{doc.relative_path}: cannot typeset #{expr.shown}: #{result['error']}", doc.site)
      end
      cache.put(expr.key(version), result["html"], result["chars"])
    end
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

  # expression key -> {"html" => its MathML, "chars" => what the math font must draw}.
  class Cache
    attr_reader :path

    def initialize(path)
      @path = path
      @data = File.file?(path) ? JSON.parse(File.read(path)) : {}
      @data = {} unless @data.is_a?(Hash) && @data["exprs"].is_a?(Hash)
      @data["exprs"] ||= {}
      @changed = false
    rescue JSON::ParserError
      @data = { "exprs" => {} }
      @changed = true
    end

    # A cached entry, or nil (also for an entry of another shape: it is typeset again).
    def expr(key)
      entry = @data["exprs"][key]
      entry if entry.is_a?(Hash) && entry["html"].is_a?(String) && entry["chars"].is_a?(String)
    end

    def put(key, html, chars)
      @data["exprs"][key] = { "html" => html, "chars" => chars.to_s }
      @changed = true
    end

    # Forget every expression not in `keys`.
    def keep(keys)
      kept = @data["exprs"].slice(*keys)
      return if kept.size == @data["exprs"].size

      @data["exprs"] = kept
      @changed = true
    end

    def save
      return unless @changed

      FileUtils.mkdir_p(File.dirname(@path))
      tmp = "#{@path}.#{Process.pid}.tmp"
      File.write(tmp, JSON.generate(@data))
      File.rename(tmp, @path)
      @changed = false
    end
  end

  # The site's math font: STIX Two Math (SIL Open Font License) from the build's Node packages,
  # cut down by `nn-blog math-font` (nn_blog/mathfont.py) to the characters the site's math
  # uses: about 20 kB instead of 400. Cached beside the expressions by those characters, and
  # published as /assets/nn-blog/math-KEY.woff: a new name whenever the characters change, so a
  # reader's cached copy is never the wrong one.
  module MathFont
    PACKAGE = "@fontsource/stix-two-math"
    # Bumped when nn_blog/mathfont.py cuts fonts differently, so cached ones are cut again.
    FORMAT = 1
    SOURCE = "#{PACKAGE}/files/stix-two-math-latin-400-normal.woff"
    SECONDS = 120

    module_function

    # The URL of the font for `chars` (published with the site), or nil when there is none to
    # offer: the math is then drawn in the reader's own math font, and the build says why once.
    def url(site, chars, folder)
      path = file(site, chars.uniq.sort.join, folder)
      return nil unless path

      publish(site, path)
      "#{site.config['baseurl'].to_s.chomp('/')}/#{NNBlog::Assets::URL}/#{File.basename(path)}"
    end

    def file(site, text, folder)
      source = NNNode.modules && File.join(NNNode.modules, SOURCE)
      return skip("#{PACKAGE} is not installed (nn-blog setup)") unless source && File.file?(source)
      return skip("no nn-blog to run `nn-blog math-font` with") unless NNBlog.command

      version = NNNode.package_version(site, PACKAGE)
      key = Digest::SHA256.hexdigest("#{version}\0#{FORMAT}\0#{text}")[0, 16]
      path = File.join(folder, "math-#{key}.woff")
      return path if File.file?(path)

      FileUtils.mkdir_p(folder)
      error = cut(source, path, text)
      error ? skip(error) : path
    end

    # After the site is written: the fonts of characters no page uses any more leave the cache
    # (not while building: a second build of the same site may be publishing one of them). A
    # folder shared by several sites (NN_MATH_CACHE) keeps them all.
    def sweep(site)
      return if ENV["NN_MATH_CACHE"]

      used = site.static_files.select { |file| file.is_a?(NNBlog::Assets::PackageFile) }
                 .map(&:path).grep(%r{/math-[0-9a-f]{16}\.woff\z})
      return if used.empty?

      Dir.glob(File.join(File.dirname(used.first), "math-*.woff")).each do |old|
        File.delete(old) unless used.include?(old)
      rescue SystemCallError
        nil # gone already, or not ours to delete: it is only a cache
      end
    end

    # `nn-blog math-font SOURCE PATH` with the characters on stdin, bounded; nil or why it failed.
    def cut(source, path, text)
      Open3.popen2e(*NNBlog.command, "math-font", source, path) do |input, output, thread|
        reader = Thread.new { output.read }
        reader.report_on_exception = false # a stream closed under it is answered below
        input.write(text)
        input.close
        unless thread.join(SECONDS)
          Process.kill("KILL", thread.pid)
          thread.join
          return "nn-blog math-font ran over #{SECONDS} s"
        end
        said = reader.value.to_s # all it said, read before the block closes the stream
        return nil if thread.value.success?

        said.lines.map(&:strip).reject(&:empty?).last.to_s
      end
    rescue SystemCallError => e
      e.message
    end

    def skip(why)
      Jekyll.logger.warn "nn_math:", "no math font for the pages, readers' own is used: #{why}" unless @said == why
      @said = why
      nil
    end

    def publish(site, path)
      url = "/#{NNBlog::Assets::URL}/#{File.basename(path)}"
      return if site.static_files.any? { |file| file.relative_path == url }

      site.static_files << NNBlog::Assets::PackageFile.new(site, path, "/#{NNBlog::Assets::URL}", File.basename(path))
    end
  end
end

Kramdown::Converter.add_math_engine(:mathjax, NNMath::Engine)
