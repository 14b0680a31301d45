# frozen_string_literal: true

# Issue 20 ("Hostile inputs, round 2"): the plugin's and the theme's output side.
require_relative "spec_helper"

RSpec.describe "hostile inputs (issue 20)" do
  # A manifest with one more entry, and a post showing it.
  def with_entry(name, entry, tag = "{% nn_figure #{name} %}", front = "title: Extra")
    build_fixture do |src|
      path = File.join(src, "_data", "generated", "figures.json")
      figures = JSON.parse(File.read(path))
      write("_data/generated/figures.json", JSON.generate(figures.merge(name => entry)))
      write("_posts/2020-12-01-extra.md", "---\n#{front}\n---\n#{tag}\n")
      yield src if block_given?
    end
    Nokogiri::HTML(output("extra/index.html"))
  end

  def entry(caption)
    { "light" => { "png" => "/assets/images/nn/e.png" }, "dark" => {}, "legacy" => [],
      "width" => 10, "height" => 10, "hash" => "sha256:9", "key" => "k9", "alt" => "A",
      "caption" => caption }
  end

  def no_markup_from_attacker(page)
    expect(page.xpath("//@*[starts-with(name(), 'on')]")).to be_empty
    expect(page.xpath("//@href | //@src").map(&:value).grep(/\A\s*javascript/i)).to be_empty
    expect(page.css("body img").map { |img| img["src"] }).not_to include("x")
  end

  # row 1
  describe "captions" do
    BYPASS = '`$$` <img src="x" onerror="alert(document.domain)"> `$$`'

    it "shows HTML between code spans holding $$ as text (manifest caption)" do
      page = with_entry("evil", entry(BYPASS))
      no_markup_from_attacker(page)
      caption = page.at_css("figure.nn-figure figcaption")
      expect(caption.css("code").map(&:text)).to eq(["$$", "$$"])
      # (kramdown's smart quotes curl the quotes of the text)
      expect(caption.text).to include("<img src=", "onerror=", "alert(document.domain)")
    end

    it "shows HTML between code spans holding $$ as text (caption= option)" do
      page = with_entry("evil", entry("c"), "{% nn_figure evil caption='#{BYPASS}' %}")
      no_markup_from_attacker(page)
      expect(page.at_css("figure.nn-figure figcaption").text).to include("<img src=")
    end

    it "keeps emphasis, code, safe links and math, and nothing else" do
      text = '*e* **s** `c<d>` [ok](https://example.org/?a=1&b=2) [no](java	script:alert(1)) ' \
             '![i](https://example.org/i.png) {::nomarkdown}<b>x</b>{:/} $$a<b$$ [r][ref] <x@y.z>'
      caption = with_entry("mixed", entry(text)).at_css("figure.nn-figure figcaption")
      expect(caption.at_css("em").text).to eq("e")
      expect(caption.at_css("strong").text).to eq("s")
      expect(caption.at_css("code").text).to eq("c<d>")
      expect(caption.css("a").map { |a| a["href"] }).to eq(["https://example.org/?a=1&b=2", "mailto:x@y.z"])
      expect(caption.css("img, b")).to be_empty
      expect(caption.text).to include("{::nomarkdown}<b>x</b>{:/}", "[r][ref]", "no ", " i ")
      expect(caption.at_css("math").text).to eq("a<b")
    end
  end

  # row 4
  describe "math" do
    it "typesets only the body's math, never an escaped title, tagline or card" do
      title = '\\(\\href{javascript:alert(41)}{Click}\\)'
      build_fixture do
        write("_posts/2020-12-02-t.md", "---\ntitle: '#{title}'\nexcerpt: '#{title}'\n" \
                                        "header:\n  overlay_color: \"#333\"\n---\nBody $$x^2$$.\n")
      end
      post = Nokogiri::HTML(output("t/index.html"))
      home = Nokogiri::HTML(output("index.html"))
      [post, home].each do |page|
        expect(page.css("math a, math [href], a[href^='javascript'], [href*='javascript']")).to be_empty
        no_markup_from_attacker(page)
      end
      expect(post.at_css("h1").text).to include("\\href{javascript:alert(41)}{Click}")
      expect(post.at_css("main p math").text).to eq("x2") # the body's math is typeset
      expect(post.css("nn-math")).to be_empty
      expect(home.text).to include("\\href{javascript:alert(41)}{Click}")
      expect(output("feed.xml")).not_to include("nn-math")
    end
  end

  # row 6
  describe "excerpts on cards" do
    def card_texts(page)
      page.css(".card__excerpt").map(&:text)
    end

    it "prints a front-matter excerpt as text on the home page and every related card" do
      build_fixture do
        write("_posts/2020-12-02-lone.md", "---\ntitle: Lone\nexcerpt: 'Lone <img src=x onerror=alert(21) x'\n---\nBody.\n")
        write("_posts/2020-12-03-lt.md", "---\ntitle: Lt\nexcerpt: 'a<b and c>d'\n---\nBody.\n")
      end
      home = Nokogiri::HTML(output("index.html"))
      related = Nokogiri::HTML(output("figures/index.html")) # related: true
      [home, related].each do |page|
        no_markup_from_attacker(page)
        expect(card_texts(page)).to include("Lone <img src=x onerror=alert(21) x", "a<b and c>d")
      end
      expect(card_texts(home)).to include("Where \\sigma(z) meets \\tanh.")
    end

    it "prints a front-matter tagline as text" do
      build_fixture do
        write("_posts/2020-12-02-tag.md", "---\ntitle: T\ntagline: '<img src=x onerror=alert(22)>'\n" \
                                          "header:\n  overlay_color: \"#333\"\n---\nBody.\n")
      end
      page = Nokogiri::HTML(output("tag/index.html"))
      no_markup_from_attacker(page)
      expect(page.at_css(".page-hero__tagline").text).to eq("<img src=x onerror=alert(22)>")
    end
  end

  # row 3
  describe "TeX" do
    it "typesets \\href, \\style and \\cssId through MathJax's safe extension" do
      tex = ['\\href{javascript:alert(1)}{a}', '\\href{ JaVaScRiPt:alert(2)}{b}',
             '\\href{data:text/html,x}{c}', '\\style{position:fixed;top:0;left:0}{d}',
             '\\style{background:url(https://evil.example/x.png)}{e}', '\\cssId{evil}{f}',
             '\\style{color:red}{g}', '\\href{https://example.org/ok}{h}']
      build_fixture do
        write("_posts/2020-12-02-tex.md", "---\ntitle: TeX\n---\n#{tex.map { |t| "$$#{t}$$" }.join(' and ')}\n")
      end
      page = Nokogiri::HTML(output("tex/index.html"))
      body = page.at_css(".page__content")
      expect(body.css("math").size).to eq(tex.size)
      expect(body.css("[href]").map { |a| a["href"] }.uniq).to eq(["https://example.org/ok"])
      styles = body.css("[style]").map { |node| node["style"] }.join(" ")
      expect(styles).not_to match(/position:\s*(fixed|absolute)|url\(|evil/i)
      expect(styles).to match(/color:\s*red/)
      expect(body.css("[id]").map { |node| node["id"] }).not_to include("evil")
    end
  end

  describe "TeX the build refuses" do
    def build_tex(tex)
      build_fixture("watch" => true) { write("_posts/2020-12-02-tex.md", "---\ntitle: TeX\n---\nSee $$#{tex}$$.\n") }
    end

    it "refuses a link the safe extension lets through, naming the page and the expression" do
      expect { build_tex("\\href{java\tscript:alert(1)}{a}") }
        .to raise_error(Jekyll::Errors::FatalException,
                        /\Ann_math: _posts\/2020-12-02-tex.md: cannot typeset .*href.*refused: .*a link/)
    end

    it "refuses an expression over 4 kB in one line naming the page" do
      expect { build_tex("x+" * 3000) }
        .to raise_error(Jekyll::Errors::FatalException,
                        /\Ann_math: _posts\/2020-12-02-tex.md: a math expression of 6000 bytes, over the 4096-byte limit/)
    end
  end

  # low rows: cards
  describe "social cards" do
    def og_image(path)
      Nokogiri::HTML(output(path)).at_css('meta[property="og:image"]')["content"]
    end

    # cards.json as nn_blog/cards.py writes it; the URL a permalink with placeholders or
    # categories gives is Jekyll's to compute, so the card names its post by source path.
    it "links a post's card whatever its permalink or categories" do
      build_fixture do
        write("_posts/2020-12-03-placed.md", "---\ntitle: P\npermalink: /:categories/:title/\n" \
                                             "categories: [Deep Learning]\n---\nx\n")
        write("_posts/2020-12-04-sorted.md", "---\ntitle: S\ncategories: [Neural Nets, c++]\n---\nx\n")
        card = ->(name, url) { { "path" => "/assets/images/cards/#{name}.png", "url" => url, "key" => name,
                                 "width" => 1200, "height" => 630, "source" => "_posts/#{name}.md" } }
        write("_data/generated/cards.json", JSON.generate("cards" => {
          "default" => card.call("default", nil).merge("source" => nil),
          "2020-12-03-placed" => card.call("2020-12-03-placed", "/:categories/:title/"),
          "2020-12-04-sorted" => card.call("2020-12-04-sorted", "/neural nets/c++/sorted/")
        }))
      end
      expect(og_image("deep learning/placed/index.html")).to end_with("/assets/images/cards/2020-12-03-placed.png")
      expect(og_image("sorted/index.html")).to end_with("/assets/images/cards/2020-12-04-sorted.png")
      expect(og_image("older-maths/index.html")).to end_with("/assets/images/cards/default.png")
    end
  end

  # low rows: filters
  describe "number filters" do
    include NNBlog::Filters

    it "refuses non-finite results and hex, and prints 0 without a sign" do
      expect { nn_percent("1e308", 1) }.to raise_error(ArgumentError, /\Ann_percent: "1e308" is out of range/)
      expect { nn_percent(1e308, 1) }.to raise_error(ArgumentError, /nn_percent: .* out of range/)
      expect { nn_number("0x1A", 1) }.to raise_error(ArgumentError, /\Ann_number: expected a number, got "0x1A"/)
      %w(Infinity NaN 1_0 0b101).each do |text|
        expect { nn_number(text, 1) }.to raise_error(ArgumentError, /nn_number: expected a number/)
      end
      expect { nn_number(Float::NAN, 1) }.to raise_error(ArgumentError, /nn_number/)
      expect([nn_number("-0", 1), nn_number(-0.0, 2), nn_number(-0.00001, 1), nn_percent("-0", 0)])
        .to eq(["0.0", "0.00", "0.0", "0%"])
      expect([nn_number(" 1.5e1 ", 1), nn_number("-2", 0), nn_percent(".5", 0)]).to eq(["15.0", "-2", "50%"])
    end
  end

  # low rows: nn_figure
  describe "nn_figure options" do
    def build_tag(tag)
      build_fixture { write("_posts/2020-12-01-o.md", "---\ntitle: t\n---\n#{tag}\n") }
    end

    it "refuses an option given twice" do
      expect { build_tag("{% nn_figure moons-boundary loading=eager loading=lazy %}") }
        .to raise_error(Liquid::SyntaxError, /nn_figure moons-boundary: option loading given twice/)
    end

    it "refuses values of show= and loading= it does not know" do
      expect { build_tag("{% nn_figure moons-boundary show=video %}") }
        .to raise_error(Liquid::SyntaxError, /nn_figure moons-boundary: show="video" is not one of animation/)
      expect { build_tag("{% nn_figure moons-boundary loading=soon %}") }
        .to raise_error(Liquid::SyntaxError, /loading="soon" is not one of lazy, eager/)
    end

    {
      "probe" => ["loss_curve", "moons"], "lr-slider" => ["architecture", "moons"],
      "digit-pad" => ["decision_boundary", "xor"]
    }.each do |live, (kind, network)|
      it "refuses live=#{live} on a #{kind} figure" do
        figure = entry("c").merge("kind" => kind, "network" => network)
        exports = { "networks" => { network => { "url" => "/n.json", "options" => { "data" => true, "snapshots" => true } } } }
        expect do
          with_entry("misfit", figure, "{% nn_figure misfit live=#{live} %}") do
            write("_data/generated/exports.json", JSON.generate(exports))
          end
        end.to raise_error(ArgumentError, /nn_figure misfit: live=#{live} plays with a .* figure; 'misfit' is a "#{kind}" figure/)
      end
    end
  end

  # low rows: theme includes and the provenance
  describe "front matter printed by the theme" do
    def post(front)
      build_fixture { write("_posts/2020-12-02-h.md", "---\ntitle: H\n#{front}\n---\nBody.\n") }
    end

    {
      "header:\n  overlay_color: 'red\" onmouseover=\"alert(1)'" => /header.overlay_color: .* is not a colour/,
      "header:\n  overlay_color: 'red; position: fixed'" => /header.overlay_color/,
      "header:\n  overlay_color: '#333'\n  overlay_filter: 'rgba(0,0,0,.5); background: url(https://e.x/)'" =>
        /header.overlay_filter/,
      "header:\n  overlay_image: \"/a.jpg'); background: url('https://e.x/\"" => /header.overlay_image: .* has a quote/,
      "header:\n  overlay_color: '#333'\n  actions:\n    - label: Go\n      url: 'javascript:alert(1)//://'" =>
        /header.actions url: "javascript:alert\(1\)\/\/:\/\/" is not an address/,
      "header:\n  image: 'javascript:alert(1)'" => /header.image: /,
      "header:\n  teaser: ' JavaScript:alert(1)'" => /header.teaser: /
    }.each do |front, message|
      it "refuses #{front.lines.last.strip}" do
        expect { post(front) }.to raise_error(Liquid::ArgumentError, message)
      end
    end

    it "escapes header.image and teaser where they are printed" do
      post("header:\n  image: 'https://e.x/a.png\" onerror=\"alert(1)'\n  teaser: 'https://e.x/t.png\" onerror=\"alert(2)'")
      [Nokogiri::HTML(output("h/index.html")), Nokogiri::HTML(output("index.html"))].each do |page|
        no_markup_from_attacker(page)
      end
      expect(Nokogiri::HTML(output("h/index.html")).at_css(".page-hero__image")["src"]).to eq('https://e.x/a.png" onerror="alert(1)')
    end

    it "keeps the theme's own values working" do
      post("header:\n  overlay_image: /assets/images/header.jpg\n  overlay_filter: 'linear-gradient(rgba(0, 0, 0, 0.5), #000)'\n" \
           "  actions:\n    - label: Go\n      url: https://example.org/x\n    - label: Local\n      url: /about/")
      hero = Nokogiri::HTML(output("h/index.html")).at_css(".page-hero")
      expect(hero["style"]).to include("linear-gradient(rgba(0, 0, 0, 0.5), #000)", "url('/assets/images/header.jpg')")
      expect(hero.css("a.button").map { |a| a["href"] }).to eq(["https://example.org/x", "/about/"])
    end

    it "refuses a tampered exports.json url in the provenance" do
      expect do
        build_fixture do |src|
          results = JSON.parse(File.read(File.join(src, "_data/generated/results.json")))
          network = results["networks"].keys.first
          write("_data/generated/exports.json", JSON.generate("networks" => { network => { "url" => "javascript:alert(1)" } }))
        end
      end.to raise_error(Liquid::ArgumentError, /exports.json: the network's url: "javascript:alert\(1\)" is not an address/)
    end
  end

  # low rows: tooling
  describe "tooling" do
    it "fails the build in one line naming a script that is not UTF-8" do
      expect do
        build_fixture("watch" => true, "nn_blog" => { "minify_js" => true }) do
          write("assets/nn-blog/js/live/latin.js", "// ok\nconst s = \"caf\xE9\";\n".b)
        end
      end.to raise_error(Jekyll::Errors::FatalException,
                         %r{\Ann_minify: assets/nn-blog/js/live/latin\.js:2: not UTF-8 text})
    end

    # A build prints errors only: MathJax has nothing to say on stderr about a good expression.
    it "typesets with nothing on stderr" do
      request = JSON.generate("exprs" => [{ "tex" => "x^2", "display" => true }])
      env = { "NN_BLOG_NODE_MODULES" => NNNode.modules.to_s }
      out, err, status = Open3.capture3(env, "node", NNMath::SCRIPT, stdin_data: request)
      expect(status).to be_success
      expect(JSON.parse(out)["results"].first).to include("html")
      expect(err).to eq("")
    end

    it "fails a build whose math pass times out in one line naming the pages" do
      stub_const("NNMath::NODE_SECONDS", 0.01)
      allow(NNNode).to receive(:exit!) { |code| raise SystemExit, code }
      logged = SPEC_LOG.string.size
      expect do
        build_fixture do
          write("_posts/2020-12-02-slow.md", "---\ntitle: S\n---\n$$t_{#{Process.clock_gettime(Process::CLOCK_REALTIME, :nanosecond)}}$$\n")
        end
      end.to raise_error(SystemExit) { |exit| expect(exit.status).to eq(2) }
      errors = SPEC_LOG.string[logged..].lines.grep(/nn_math/)
      expect(errors.last).to match(%r{nn_math: +typesetting [^:]*_posts/2020-12-02-slow\.md[^:]*: node math\.mjs did not finish within 0\.01 s\n\z})
      expect(errors.size).to eq(1)
    end

    it "keeps in the math cache only what the last build used, and one math font" do
      shared = ENV.delete("NN_MATH_CACHE")
      begin
        build_fixture { write("_posts/2020-12-02-m.md", "---\ntitle: M\n---\n$$a_1$$\n") }
        folder = File.join(@source, ".jekyll-cache", "nn-math")
        File.write(File.join(folder, "4.0.0-1.json"), "{}") # a cache of another MathJax
        cache = -> { JSON.parse(File.read(Dir[File.join(folder, "*.json")].first)) }
        fonts = -> { Dir[File.join(folder, "math-*.woff")] }
        Jekyll::Site.new(fixture_config).process
        expect(Dir[File.join(folder, "*.json")].size).to eq(1)
        before = cache.call["exprs"]
        font = fonts.call
        expect(font.size).to eq(1)
        write("_posts/2020-12-02-m.md", "---\ntitle: M\n---\n$$b_2$$\n")
        Jekyll::Site.new(fixture_config).process
        after = cache.call["exprs"]
        expect(after.size).to eq(before.size)
        expect(after.values.map { |entry| entry["html"] }.join).to include("<mi>b</mi>")
        expect(after.values.map { |entry| entry["html"] }.join).not_to include("<mi>a</mi>")
        expect(fonts.call.size).to eq(1) # the font of the characters a_1 needed is gone
        expect(fonts.call).not_to eq(font)
      ensure
        ENV["NN_MATH_CACHE"] = shared
      end
    end
  end
end
