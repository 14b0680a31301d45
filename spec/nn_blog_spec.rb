# frozen_string_literal: true

require_relative "spec_helper"

RSpec.describe "nn_figure" do
  def figures(path)
    Nokogiri::HTML(output(path)).css("figure.nn-figure").map do |figure|
      source = figure.at_css('picture source[media="(prefers-color-scheme: dark)"]')
      img = figure.at_css("picture img")
      caption = figure.at_css("figcaption")&.dup
      caption&.css("details")&.each(&:remove) # the provenance closes the caption
      { "class" => figure["class"], "dark" => source && source["srcset"], "type" => source && source["type"],
        "img" => img&.attributes&.transform_values(&:value), "caption" => caption&.inner_html,
        "link" => figure.at_css("a[data-nn-on-demand]"),
        "scripts" => figure.css("script").map { |script| script["src"] } }
    end
  end

  it "renders a manifest entry as a picture with a dark source, SVG first" do
    build_fixture
    moons = figures("figures/index.html").first
    expect(moons["dark"]).to eq("/assets/images/nn/moons-boundary-dark.svg")
    expect(moons["type"]).to eq("image/svg+xml")
    expect(moons["img"]).to eq("src" => "/assets/images/nn/moons-boundary.svg", "width" => "720", "height" => "480",
                               "alt" => "Two interleaved half moons, blue and orange, split by a curved boundary",
                               "loading" => "eager", "decoding" => "async")
    expect(moons["caption"]).to start_with("The boundary the network learned, <math") # typeset
    expect(moons["caption"]).to end_with("</math> shaded.")
  end

  it "falls back to PNG, loads lazily by default and passes the class through" do
    build_fixture
    digits = figures("figures/index.html")[1]
    expect(digits["class"]).to eq("nn-figure wide")
    expect(digits["dark"]).to eq("/assets/images/nn/digits-samples-dark.png")
    expect(digits["type"]).to be_nil
    expect(digits["img"]).to include("src" => "/assets/images/nn/digits-samples.png", "loading" => "lazy",
                                     "width" => "640", "height" => "320")
  end

  it "offers the animation behind a link instead of loading it with the page" do
    build_fixture
    spiral = figures("figures/index.html")[2]
    expect(spiral["img"]).to be_nil
    expect(spiral["dark"]).to be_nil
    link = spiral["link"]
    expect(link["href"]).to eq("/assets/images/nn/spiral-evolution.gif")
    expect(link["data-alt"]).to eq("The spiral's boundary at four epochs, from a straight line to three arms")
    expect(link.at_css("[data-nn-label]").text).to eq("Play the animation")
    expect(spiral["scripts"]).to eq(["/assets/nn-blog/js/nn-on-demand.js"]) # no inline script
  end

  it "sizes the animation and gives its weight from the GIF itself" do
    build_fixture("baseurl" => "/blog") do
      # a GIF header whose logical screen is 480 x 360, padded to 2,500 bytes
      write("assets/images/nn/spiral-evolution.gif", "GIF89a#{[480, 360].pack('vv')}".ljust(2500, "\0"))
    end
    link = figures("figures/index.html")[2]["link"]
    expect(link["href"]).to eq("/blog/assets/images/nn/spiral-evolution.gif")
    expect(link.attributes.slice("data-width", "data-height").transform_values(&:value))
      .to eq("data-width" => "480", "data-height" => "360")
    expect(link.at_css("[data-nn-label]").text).to eq("Play the animation (GIF, 3 kB)")
    expect(link.at_css("[data-nn-label]")["data-hide"]).to eq("Hide the animation")
  end

  it "puts the baseurl in front of every image" do
    build_fixture("baseurl" => "/blog")
    moons = figures("figures/index.html").first
    expect(moons["dark"]).to eq("/blog/assets/images/nn/moons-boundary-dark.svg")
    expect(moons["img"]["src"]).to eq("/blog/assets/images/nn/moons-boundary.svg")
    expect(output("figures/index.html")).not_to match(%r{(src|srcset|href)="/assets/})
  end

  it "fails the build on an unknown name, listing the known ones" do
    expect do
      build_fixture { write("_posts/2020-12-01-typo.md", "---\ntitle: t\n---\n{% nn_figure moon-boundary %}\n") }
    end.to raise_error(ArgumentError, /unknown figure 'moon-boundary'.*known figures: digits-samples, moons-boundary, spiral-evolution/)
  end

  it "says how to get figures when there is no manifest" do
    expect do
      build_fixture { |src| File.delete(File.join(src, "_data", "generated", "figures.json")) }
    end.to raise_error(ArgumentError, /known figures: \(none: run nn-blog render\)/)
  end

  it "rejects an option it does not know" do
    expect do
      build_fixture { write("_posts/2020-12-01-opt.md", "---\ntitle: t\n---\n{% nn_figure moons-boundary size=big %}\n") }
    end.to raise_error(Liquid::SyntaxError, /unknown option size/)
  end

  # issue 10: live figures
  EXPORTS = { "networks" => { "digits" => { "url" => "/assets/nn/digits.json", "options" => { "snapshots" => false, "data" => false } },
                              "spiral" => { "url" => "/assets/nn/spiral.json", "options" => { "snapshots" => true, "data" => false } } } }.freeze

  def live_post(body, exports = EXPORTS)
    build_fixture("baseurl" => "/blog") do
      write("_data/generated/exports.json", JSON.generate(exports))
      write("_posts/2020-12-01-live.md", "---\ntitle: Live\n---\n#{body}\n")
      yield if block_given?
    end
    Nokogiri::HTML(output("live/index.html"))
  end

  it "marks a live figure and loads its module once per page, only there" do
    page = live_post("{% nn_figure digits-samples live=digit-pad %}\n\ntext\n\n{% nn_figure spiral-evolution live=scrubber %}")
    live = page.css("figure[data-nn-live]").map { |f| [f["data-nn-live"], f["data-nn-network"]] }
    expect(live).to eq([%w(digit-pad digits), %w(scrubber spiral)])
    scripts = page.css("script[type=module]").map { |s| s["src"] }.grep(/nn-figures/)
    expect(scripts).to eq(["/blog/assets/nn-blog/js/nn-figures.js"])
    expect(output("figures/index.html")).not_to include("nn-figures.js", "data-nn-live")
  end

  it "hands a live figure's hint to the page as an escaped attribute, and only with live=" do
    page = live_post(%({% nn_figure digits-samples live=digit-pad hint="Draw a <b>digit</b> & watch" %}))
    expect(page.at_css("figure[data-nn-live]")["data-nn-hint"]).to eq("Draw a <b>digit</b> & watch")
    expect(page.css("figure b")).to be_empty
    expect { live_post(%({% nn_figure digits-samples hint="Draw" %})) }
      .to raise_error(Liquid::SyntaxError, /nn_figure digits-samples: hint= is what to do with a live figure; it needs live=KIND/)
  end

  it "rejects an unknown live figure, naming the figure and the value" do
    expect { live_post("{% nn_figure moons-boundary live=slider %}") }
      .to raise_error(Liquid::SyntaxError, /nn_figure moons-boundary: unknown live figure live="slider" \(known: digit-pad, probe, neurons, scrubber, train, lr-slider, playground, graph-step\)/)
  end

  it "refuses a live figure its network's export cannot serve" do
    expect { live_post("{% nn_figure spiral-evolution live=scrubber %}", { "networks" => { "spiral" => { "options" => {} } } }) }
      .to raise_error(ArgumentError, /nn_figure spiral-evolution: live=scrubber needs network 'spiral' exported with its snapshots/)
    expect { live_post("{% nn_figure moons-boundary live=probe %}") }
      .to raise_error(ArgumentError, /live=probe needs network 'moons' exported at all \(run nn-blog render\)/)
  end

  it "names the 400-point rule when live=train has no training data to ship (issue 17)" do
    NNBlog.setup((NNBlog.info || {}).merge("limits" => { "train_data_max" => 400 }))
    exports = { "networks" => { "moons" => { "options" => { "snapshots" => true, "data" => false } } } }
    expect do
      live_post("{% nn_figure moons-boundary live=train %}", exports) do
        write("_data/networks.yml", "moons:\n  dataset: {name: moons, n_samples: 600}\n")
      end
    end.to raise_error(ArgumentError, /live=train needs network 'moons' exported with its data; rule: .*at most 400 points \('moons' has n_samples: 600\)/)
  end

  it "hands the page where a heatmap figure's tiles are, as escaped JSON" do
    tiles = { "plane" => [-1, 1, -1, 1],
              "wide" => { "width" => 720, "height" => 440,
                          "tiles" => [{ "layer" => 1, "neuron" => 0, "box" => [1, 2, 3, 4] }] },
              "note" => '"><script>alert(7)</script>' }
    entry = HOSTILE.merge("kind" => "neuron_heatmaps", "network" => "moons", "alt" => "A", "data" => tiles)
    exports = { "networks" => EXPORTS["networks"].merge("moons" => { "options" => { "snapshots" => false } }) }
    page = live_post("{% nn_figure moons-neurons live=neurons %}", exports) do
      path = File.join(@source, "_data", "generated", "figures.json")
      write("_data/generated/figures.json", JSON.generate(JSON.parse(File.read(path)).merge("moons-neurons" => entry)))
    end
    figure = page.at_css("figure[data-nn-live=neurons]")
    expect(figure["data-nn-network"]).to eq("moons")
    expect(JSON.parse(figure["data-nn-layout"])).to eq(tiles)
    expect(page.css('script:not([type="application/ld+json"])').map(&:text).join).not_to include("alert")
  end

  it "refuses live=neurons on a figure that does not record its tiles" do
    exports = { "networks" => EXPORTS["networks"].merge("moons" => { "options" => { "snapshots" => false } }) }
    expect { live_post("{% nn_figure moons-boundary live=neurons %}", exports) }
      .to raise_error(ArgumentError, /nn_figure moons-boundary: live=neurons needs a figure that records where its tiles are \(kind neuron_heatmaps\)/)
  end

  it "hands the step-through graph the worked example's exact numbers, only on that figure" do
    exact = { "x" => [1.0, 0.0], "y" => 1.0, "lr" => 1.0,
              "hidden" => { "W" => [[0.1, 0.2], [0.3, 0.4]], "b" => [0.0, 0.0] },
              "output" => { "W" => [[0.5], [0.6]], "b" => [0.0] } }
    entry = HOSTILE.merge("kind" => "computation_graph", "alt" => "A", "data" => { "loss" => 0.3, "exact" => exact })
    entry.delete("network")
    page = live_post("{% nn_figure computation-graph live=graph-step %}") do
      path = File.join(@source, "_data", "generated", "figures.json")
      write("_data/generated/figures.json", JSON.generate(JSON.parse(File.read(path)).merge("computation-graph" => entry)))
    end
    figure = page.at_css("figure[data-nn-live=graph-step]")
    expect(JSON.parse(figure["data-nn-layout"])["exact"]).to eq(exact)
    expect { live_post("{% nn_figure moons-boundary live=graph-step %}") }
      .to raise_error(ArgumentError, /live=graph-step needs a figure that records its numbers at full precision/)
  end

  it "requires alt text in nn-figure.html" do
    expect do
      build_fixture { write("_posts/2020-12-01-alt.md", "---\ntitle: t\n---\n{% include nn-figure.html image_path=\"/a.png\" %}\n") }
    end.to raise_error(Liquid::ArgumentError, /nn-figure.html: alt \(what the figure shows\) is required/)
  end

  # A manifest with one more entry, and a post showing it.
  def with_entry(name, entry, tag = "{% nn_figure #{name} %}")
    build_fixture do |src|
      path = File.join(src, "_data", "generated", "figures.json")
      figures = JSON.parse(File.read(path))
      write("_data/generated/figures.json", JSON.generate(figures.merge(name => entry)))
      write("_posts/2020-12-01-extra.md", "---\ntitle: Extra\n---\n#{tag}\n")
    end
    Nokogiri::HTML(output("extra/index.html"))
  end

  HOSTILE = {
    "light" => { "png" => "/assets/images/nn/evil.png" }, "dark" => {}, "legacy" => [],
    "width" => 10, "height" => 10, "hash" => "sha256:9", "key" => "k9",
    "alt" => '"><script>alert(2)</script>',
    "caption" => '<script>alert(1)</script> [x](javascript:alert(3)) *e*{: onmouseover="alert(4)"} ' \
                 '<img src=x onerror="alert(5)"> [ok](https://example.org/a) ![i](javascript:alert(6)) & $$a < b$$'
  }.freeze

  it "shows a hostile caption and alt text as text, never as markup" do
    page = with_entry("evil", HOSTILE)
    figure = page.at_css("figure.nn-figure")
    expect(page.css('script:not([type="application/ld+json"])').map(&:text).join).not_to include("alert")
    expect(page.xpath("//@onmouseover | //@onerror")).to be_empty
    expect(page.xpath("//@href | //@src").map(&:value).grep(/javascript/i)).to be_empty
    caption = figure.at_css("figcaption")
    expect(caption.text).to include("<script>alert(1)</script>", "<img src=x", "& ")
    expect(caption.at_css("math").text).to eq("a<b") # the math, typeset
    expect(caption.at_css("em").text).to eq("e")
    expect(caption.css("a").map { |a| [a.text, a["href"]] }).to eq([["ok", "https://example.org/a"]])
    expect(caption.text).to include("x ", "{: onmouseover=")
    expect(figure.at_css("img")["alt"]).to eq('"><script>alert(2)</script>')
  end

  it "takes quoted option values" do
    tag = %({% nn_figure moons-boundary caption="Two words, then *more*." class='wide tall' loading=eager %})
    figure = with_entry("unused", HOSTILE, tag).at_css("figure.nn-figure")
    expect(figure["class"]).to eq("nn-figure wide tall")
    expect(figure.at_css("figcaption").children.first(2).map(&:to_html).join).to eq("Two words, then <em>more</em>")
    expect(figure.at_css("img")["loading"]).to eq("eager")
  end

  it "refuses options it cannot read" do
    expect do
      build_fixture { write("_posts/2020-12-01-q.md", %(---\ntitle: t\n---\n{% nn_figure moons-boundary caption="open %}\n)) }
    end.to raise_error(Liquid::SyntaxError, /nn_figure moons-boundary: cannot read the options from "caption=\\"open"/)
  end

  it "offers the narrow variant to phones, dark first" do
    entry = { "light" => { "svg" => "/w.svg" }, "dark" => { "svg" => "/w-dark.svg" }, "legacy" => [],
              "width" => 720, "height" => 400, "alt" => "A", "caption" => "", "hash" => "h", "key" => "k",
              "narrow" => { "light" => { "svg" => "/n.svg", "png" => "/n.png" }, "dark" => { "png" => "/n-dark.png" },
                            "width" => 360, "height" => 420, "min_font_px" => 12.7 } }
    sources = with_entry("narrow", entry).css("figure.nn-figure picture source").map do |source|
      source.attributes.transform_values(&:value)
    end
    expect(sources).to eq([
      { "media" => "(max-width: 599px) and (prefers-color-scheme: dark)", "srcset" => "/n-dark.png",
        "width" => "360", "height" => "420" },
      { "media" => "(max-width: 599px)", "srcset" => "/n.svg", "type" => "image/svg+xml", "width" => "360", "height" => "420" },
      { "media" => "(prefers-color-scheme: dark)", "srcset" => "/w-dark.svg", "type" => "image/svg+xml",
        "width" => "720", "height" => "400" }
    ])
  end

  it "gives the animation's dark variant to readers who prefer a dark scheme" do
    entry = JSON.parse(File.read(File.join(FIXTURE, "_data", "generated", "figures.json")))["spiral-evolution"]
    entry["extra"]["gif_dark"] = "/assets/images/nn/spiral-evolution-dark.gif"
    link = with_entry("spiral2", entry, "{% nn_figure spiral2 show=animation %}").at_css("a[data-nn-on-demand]")
    expect(link["data-dark-src"]).to eq("/assets/images/nn/spiral-evolution-dark.gif")
  end

  it "accepts Minimal Mistakes' `include figure` spelling" do
    build_fixture
    figure = figures("oldest-blog/index.html").first
    expect(figure["dark"]).to eq("/assets/images/a-dark.png")
    expect(figure["img"]["alt"]).to eq("A picture, the Minimal Mistakes way")
    expect(figure["caption"]).to eq("Caption with <em>emphasis</em>")
  end
end

RSpec.describe "number filters" do
  include NNBlog::Filters

  it "formats fractions as percentages and numbers with fixed decimals" do
    expect(nn_percent(0.9761, 1)).to eq("97.6%")
    expect(nn_percent("0.5", 0)).to eq("50%")
    expect(nn_number(0.061234, 3)).to eq("0.061")
    expect(nn_number(300, 0)).to eq("300")
  end

  it "fails clearly on a missing value" do
    expect { nn_percent(nil, 1) }.to raise_error(ArgumentError, /nn_percent: expected a number, got nil/)
    expect { nn_number("n/a", 1) }.to raise_error(ArgumentError, /nn_number: expected a number/)
  end

  it "names itself when its number of decimals is wrong" do
    expect { nn_percent(0.5, "abc") }.to raise_error(ArgumentError, /\Ann_percent: the number of decimals .* got "abc"/)
    expect { nn_number(0.5, -1) }.to raise_error(ArgumentError, /\Ann_number: the number of decimals .* got -1/)
    expect { nn_number(0.5, 99) }.to raise_error(ArgumentError, /\Ann_number: /)
  end

  it "names itself in a build" do
    expect do
      build_fixture { write("_posts/2020-12-01-pct.md", "---\ntitle: t\n---\n{{ 0.5 | nn_percent: \"abc\" }}\n") }
    end.to raise_error(Liquid::ArgumentError, /nn_percent: the number of decimals must be an integer from 0 to 12, got "abc"/)
  end

  it "quotes generated results in a post" do
    build_fixture
    expect(output("figures/index.html")).to include("reaches 97.6%\non the test set, with a final loss of 0.061")
  end
end

RSpec.describe "front matter helpers" do
  include NNBlog::ThemeFilters

  it "reads flags the way a writer means them" do
    expect([true, "true", " True ", "yes", 1].map { |v| nn_true(v) }).to all(be(true))
    expect([false, "false", "no", nil, "", 0].map { |v| nn_true(v) }).to all(be(false))
  end

  it "strips math delimiters" do
    expect(nn_strip_math("a \\(x^2\\) and $$y$$ and \\[z\\]")).to eq("a x^2 and y and z")
  end

  it "builds a nested table of contents from the two top heading levels" do
    html = '<h2 id="a">A <code>x</code></h2><h3 id="a1">A1</h3><h4 id="deep">no</h4><h2 id="b">B</h2>'
    expect(nn_toc(html)).to eq('<ul><li><a href="#a">A x</a><ul><li><a href="#a1">A1</a></li></ul></li>' \
                               '<li><a href="#b">B</a></li></ul>')
    expect(nn_toc("<p>no headings</p>")).to eq("")
  end
end

RSpec.describe "layouts honouring Minimal Mistakes' front matter" do
  # Math is typeset at build time (the plugin's math.rb, tested in tests/site/test_math.py):
  # no page loads MathJax, whatever its front matter says (Minimal Mistakes' `mathjax: true`).
  it "typesets math at build time and loads no MathJax script, even with mathjax: true" do
    build_fixture do |source|
      File.write(File.join(source, "live.md"),
                 "---\ntitle: Live\nlayout: single\npermalink: /live/\nmathjax: true\n---\n\n$$x$$\n")
    end
    page = output("live/index.html")
    expect(page).to include("<math", "/assets/nn-blog/math-")
    expect(page).not_to include("tex-chtml", "\\(x\\)")
    expect(output("figures/index.html")).not_to include("tex-chtml")
  end

  # Math is MathML (issue 19): what TeX's MathML says in ways MathML Core does not read is said in
  # ways it does, and the page offers the site's math font, cut to what its math uses.
  it "writes MathML that MathML Core lays out, with the site's math font" do
    tex = '$$\\mathbf{W}^\\top \\hat{y} \\log x \\sigma\'(z)$$ and' \
          "\n\n$$\n\\begin{aligned} a &= b \\\\ cd &= e \\end{aligned}\n$$\n"
    build_fixture do |source|
      File.write(File.join(source, "core.md"), "---\ntitle: Core\nlayout: single\npermalink: /core/\n---\n\n#{tex}")
    end
    html = output("core/index.html")
    page = Nokogiri::HTML(html)
    inline, display = page.css("math").to_a
    expect(inline.at_css("mi").text).to eq("\u{1D416}") # bold W as its letter, no mathvariant
    expect(inline.css("[mathvariant]").map { |node| node["mathvariant"] }.uniq).to eq(["normal"]) # \top, as Core draws it
    expect(inline.at_css("mover")["accent"]).to eq("true")
    expect(inline.at_css("mover mo").text).to eq("\u02C6")
    expect(inline.css("msup").map { |sup| sup.css("mo").text }).not_to include("\u2032") # f' unraised
    expect(inline.at_css("mspace + mi").text).to eq("log")
    expect(display["display"]).to eq("block")
    expect(display.parent["class"]).to eq("nn-math-block") # the box a wide formula scrolls in
    expect(display.parent["tabindex"]).to eq("0")
    expect(display.css("mtd").map { |cell| cell["columnalign"] }).to eq(%w(right left right left))
    expect(html).not_to include("data-latex", "mjx-")
    url = html[%r{url\("(/assets/nn-blog/math-[0-9a-f]{16}\.woff)"\)}, 1]
    expect(url).not_to be_nil, SPEC_LOG.string.lines.grep(/nn_math/).last(3).join
    font = File.binread(File.join(@source, "_site", url))
    expect(font[0, 4]).to eq("wOFF")
    expect(font).to include("MATH") # the table directory names the MATH table
    expect(font.bytesize).to be < 40_000
  end

  it "writes \\tag, rules, strikes and boxes as MathML Core draws them, and refuses \\def" do
    tex = ["\\begin{align} a &= b \\tag{2} \\\\ c &= d \\end{align}",
           "\\begin{array}{c|c} a & b \\\\ \\hline c & d \\end{array}",
           "\\cancel{x} + \\boxed{y} + x'^2 + g^{\\prime}"]
    build_fixture do |source|
      File.write(File.join(source, "more.md"), "---\ntitle: More\nlayout: single\npermalink: /more/\n---\n\n" +
                 tex.map { |t| "$$\n#{t}\n$$\n" }.join("\n"))
    end
    page = Nokogiri::HTML(output("more/index.html"))
    tagged, array, marks = page.css("math").to_a
    expect(tagged.css("mlabeledtr")).to be_empty # the label is the row's last cell
    expect(tagged.css("mtr").first.css("mtd").map(&:text)).to eq(["a", "=b", "(2)"])
    expect(array.css("mtd").first["style"]).to include("border-right: 0.067em solid",
                                                        "border-bottom: 0.067em solid")
    expect(marks.css("menclose")).to be_empty
    styles = marks.css("mrow[style]").map { |row| row["style"] }
    expect(styles.first).to start_with("background: linear-gradient(to top right")
    expect(styles.last).to include("border: 0.067em solid")
    expect(marks.css("msup").map { |sup| sup.children.first.text }).to eq(["x\u2032"]) # x'^2
    expect(marks.css("msup > :nth-child(2)").map(&:text).join).not_to include("\u2032") # not raised

    allow(NNNode).to receive(:exit!) { |code| raise SystemExit, code }
    logged = SPEC_LOG.string.size
    expect do
      build_fixture { write("_posts/2020-12-02-def.md", "---\ntitle: D\n---\n$$\\def\\foo{y} \\foo$$\n") }
    end.to raise_error(SystemExit)
    expect(SPEC_LOG.string[logged..].lines.grep(/nn_math/).last)
      .to match(/_posts.2020-12-02-def\.md: cannot typeset .*\\def: a macro defined in one formula/)
  end

  it "renders the header image, caption, toc, read time, share links and author" do
    build_fixture
    html = output("figures/index.html")
    expect(html).to include('<body class="layout--splash">')
    expect(html).to include('<img class="page-hero__image" src="/assets/images/header.jpg" alt="Figures and numbers"')
    expect(html).to include("Drawn by <strong>nn-blog</strong>")
    expect(html).to include('<li><a href="#the-boundary">The boundary</a><ul><li><a href="#digits">Digits</a></li></ul></li>')
    expect(html).to include("less than 1 minute read")
    expect(html).to include("https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Ffixture.example%2Ffigures%2F")
    expect(html).to include('<p class="author__name">Fixture Author</p>')
    expect(html).to include('<a class="tag" href="/tags/#maths" rel="tag">maths</a>')
  end

  it "estimates reading time at 200 words a minute" do
    build_fixture { write("_posts/2020-12-02-long.md", "---\ntitle: Long\nread_time: true\n---\n#{'word ' * 650}\n") }
    expect(output("long/index.html")).to include("3 minute read")
  end

  it "puts the title over an overlay image" do
    build_fixture
    html = output("newest-other/index.html")
    expect(Nokogiri::HTML(html).at_css(".page-hero")["style"])
      .to eq("background-image: linear-gradient(rgba(0, 0, 0, 0.3), rgba(0, 0, 0, 0.3)), url('/assets/images/header.jpg');")
    expect(html).to include('<h1 class="page-hero__title">The newest post, about something else</h1>')
  end

  it "lists related posts sharing tags first, then the newest" do
    build_fixture
    related = output("figures/index.html").split('id="related-title"').last
    titles = related.scan(%r{<h3 class="card__title"><a href="[^"]+">([^<]+)</a>}).flatten
    expect(titles).to eq(["An older post about maths", "The oldest post, tagged blog",
                          "The newest post, about something else"])
  end

  it "shows teasers and plain excerpts on the home page" do
    build_fixture
    html = output("index.html")
    expect(html).to include('<img src="/assets/images/teaser.jpg" alt="Figures and numbers"')
    expect(html).to include('<p class="card__excerpt">Where \sigma(z) meets \tanh.</p>')
  end

  it "gives search engines a plain description and the header as social image" do
    build_fixture
    older = output("older-maths/index.html")
    expect(older).to include('<meta name="description" content="Where \sigma(z) meets \tanh." />')
    figures = output("figures/index.html")
    expect(figures).to include('<meta property="og:image" content="https://fixture.example/assets/images/header.jpg" />')
  end

  it "shows comments only with a provider in production" do
    config = { "comments" => { "provider" => "utterances" }, "repository" => "me/blog" }
    build_fixture(config)
    expect(output("figures/index.html")).not_to include("utteranc.es")
    begin
      ENV["JEKYLL_ENV"] = "production"
      build_fixture(config)
      expect(output("figures/index.html")).to include('<script src="https://utteranc.es/client.js" repo="me/blog"')
      expect(output("older-maths/index.html")).not_to include("utteranc.es")
    ensure
      ENV.delete("JEKYLL_ENV")
    end
  end

  it "builds a tag archive with an anchor per tag" do
    build_fixture { write("tags.html", "---\ntitle: Tags\npermalink: /tags/\nlayout: tags\n---\n") }
    html = output("tags/index.html")
    expect(html.scan(/<h2 id="([a-z]+)">/).flatten).to eq(%w(blog maths other))
  end
end

RSpec.describe "the render hook" do
  # The hook runs nn-blog with the Python the loader found (NNBlog.info["python"]): here a fake
  # interpreter that logs its folder and arguments.
  def fake_python(dir, exit_code: 0)
    log = File.join(dir, "calls.log")
    python = File.join(dir, "python")
    File.write(python, "#!/bin/sh\necho \"$PWD $*\" >> #{log}\nexit #{exit_code}\n")
    File.chmod(0o755, python)
    [python, log]
  end

  around do |example|
    saved_info = NNBlog.info
    saved = ENV.to_h.slice("NN_BLOG_SKIP_RENDER")
    ENV.delete("NN_BLOG_SKIP_RENDER")
    example.run
  ensure
    NNBlog.setup(saved_info)
    ENV.update(saved)
    ENV.delete("NN_BLOG_SKIP_RENDER") unless saved.key?("NN_BLOG_SKIP_RENDER")
  end

  it "runs `nn-blog render` in the site's folder, once, before reading" do
    Dir.mktmpdir do |dir|
      python, log = fake_python(dir)
      NNBlog.setup(NNBlog.info.merge("python" => python))
      site = build_fixture("nn_blog" => { "render_on_build" => true })
      Jekyll::Site.new(site.config) # a second site in the same process renders nothing more
      expect(File.readlines(log, chomp: true)).to eq(["#{File.realpath(@source)} -m nn_blog render"])
    end
  end

  it "renders by default: a site that loads the plugin wants its figures" do
    Dir.mktmpdir do |dir|
      python, log = fake_python(dir)
      NNBlog.setup(NNBlog.info.merge("python" => python))
      build_fixture do |source|
        config = File.join(source, "_config.yml")
        File.write(config, File.read(config).sub(/^nn_blog:\n(  .*\n)+/, ""))
      end
      expect(File.readlines(log, chomp: true).size).to eq(1)
    end
  end

  it "stops the build when rendering fails" do
    Dir.mktmpdir do |dir|
      python, = fake_python(dir, exit_code: 2)
      NNBlog.setup(NNBlog.info.merge("python" => python))
      expect { build_fixture("nn_blog" => { "render_on_build" => true }) }
        .to raise_error(Jekyll::Errors::FatalException, /nn-blog render` failed \(exit 2\)/)
    end
  end

  it "builds from the figures on disk and says why, once" do
    Dir.mktmpdir do |dir|
      python, log = fake_python(dir)
      messages = []
      allow(Jekyll.logger).to receive(:info).and_wrap_original { |m, *args| messages << args.join(" "); m.call(*args) }

      NNBlog.setup(NNBlog.info.merge("python" => nil))
      build_fixture("nn_blog" => { "render_on_build" => true })
      Jekyll::Site.new(fixture_config("nn_blog" => { "render_on_build" => true }))
      expect(messages.grep(/the loader found no nn-blog to run: building from the figures on disk/).size).to eq(1)

      NNBlog::Render.reset!
      NNBlog.setup(NNBlog.info.merge("python" => python))
      ENV["NN_BLOG_SKIP_RENDER"] = "1"
      build_fixture("nn_blog" => { "render_on_build" => true })
      expect(messages.grep(/NN_BLOG_SKIP_RENDER=1: building from the figures on disk/).size).to eq(1)

      NNBlog::Render.reset!
      build_fixture("nn_blog" => { "render_on_build" => false })
      expect(messages.grep(/render_on_build is off/).size).to eq(1)
      expect(File.exist?(log)).to be(false)
    end
  end
end

RSpec.describe "figures and the page's colour schemes" do
  # A layout of a light-only theme (minima declares no color-scheme): a dark figure on its white
  # page would be unreadable, so the figure stays light and its live figure draws in light.
  LIGHT_ONLY = "<!doctype html><html><head><title>t</title></head><body>{{ content }}</body></html>\n"

  def light_page(config = {})
    build_fixture(config) do
      write("_layouts/plain.html", LIGHT_ONLY)
      write("_posts/2020-12-01-plain.md", "---\ntitle: Plain\nlayout: plain\n---\n" \
                                          "{% nn_figure moons-boundary %}\n")
    end
    Nokogiri::HTML(output("plain/index.html"))
  end

  it "keeps only the light sources on a page that declares no dark scheme" do
    page = light_page
    figure = page.at_css("figure.nn-figure")
    expect(figure["data-nn-scheme"]).to eq("light")
    expect(figure.css("source").map { |s| s["media"] }.grep(/dark/)).to be_empty
    expect(page.at_css("style#nn-figures")).not_to be_nil
  end

  it "keeps the dark sources where the page declares both schemes, or the site says so" do
    dark = ->(page) { page.css("figure.nn-figure source").map { |s| s["media"] }.grep(/dark/) }
    expect(dark.call(Nokogiri::HTML(output_of_blog_layout))).not_to be_empty
    page = light_page("nn_blog" => { "color_scheme" => "light dark" })
    expect(dark.call(page)).not_to be_empty
    expect(page.at_css("figure.nn-figure")["data-nn-scheme"]).to be_nil
  end

  def output_of_blog_layout
    build_fixture # the blog's own head declares <meta name="color-scheme" content="light dark">
    output("figures/index.html")
  end
end

RSpec.describe "code lines (a phone wraps each source line on its own)" do
  it "puts each line of a rouge block in its own span, a token across lines closed and reopened" do
    code = %(<pre class="highlight"><code><span class="k">def</span> <span class="nf">f</span>():\n) +
           %(    <span class="s">"""a\n\n        b"""</span>\n) +
           %(    <span class="k">return</span> 1\n</code></pre>)
    out = NNBlog.code_lines(code)
    lines = out.scan(%r{<span class="line" data-indent="(\d+)">(.*?)</span>(?=<span class="line"|</code>)}m)
    expect(lines.map(&:first)).to eq(%w(0 4 0 8 4))
    # every span opened in a line is closed in it
    lines.each { |_, html| expect(html.scan("<span").size).to eq(html.scan("</span>").size) }
    # the text, newlines included, is the source's
    text = ->(html) { CGI.unescapeHTML(html.gsub(/<[^>]*>/, "")) }
    expect(text.call(out)).to eq(text.call(code))
    expect(NNBlog.code_lines(out)).to eq(out) # once only
  end
end
