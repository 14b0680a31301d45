# frozen_string_literal: true

# Figures and results: reads only what the Python package generated (_data/generated/*.json)
# and, before a build, asks that package to render stale figures.
#
#   {% nn_figure NAME [loading=eager] [class=wide] [show=animation] [caption="any text"]
#                [live=KIND [hint="what a reader can do"]] %}
#       the figure NAME from the manifest, through nn-figure.html (the package's includes/, or the site's own) (show=animation: its GIF,
#       behind a link that plays it in place, so the page does not download it unasked; live:
#       one of LIVE_KINDS, played with in the page once JavaScript enhances it; hint: one line
#       shown in the live panel, so readers without JavaScript never read of controls they lack)
#   {{ site.data.generated.results.networks.moons.test_accuracy | nn_percent: 1 }}   -> 97.6%
#   {{ x | nn_number: 3 }}                  fixed decimals
#   {{ include.caption | nn_caption }}      a caption as inline Markdown, safe: see nn_caption
#   {{ include.alt | nn_required: "nn-figure.html: alt" }}  fail the build when a value is missing
require "cgi"
require "json"
require_relative "caption"

module NNBlog
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
      return if system(*NNBlog.command, "render", chdir: site.source)

      raise Jekyll::Errors::FatalException,
            "nn_blog: `nn-blog render` failed (exit #{$?&.exitstatus})"
    end

    # On by default: a site that loads the plugin wants its figures drawn.
    def skip_reason(config)
      on_disk = "building from the figures on disk"
      return "nn_blog.render_on_build is off: #{on_disk}" if config["render_on_build"] == false
      return "NN_BLOG_SKIP_RENDER=1: #{on_disk}" if ENV["NN_BLOG_SKIP_RENDER"] == "1"
      return "the loader found no nn-blog to run: #{on_disk}" unless NNBlog.command

      nil
    end

    def reset!
      @done = false
    end
  end

  # --- {% nn_figure NAME %} ----------------------------------------------------------------
  class FigureTag < Liquid::Tag
    OPTIONS = %w(loading class caption show live hint).freeze
    # live=KIND: the figure becomes a live one in the page (assets/js/live/KIND.js; issue 10).
    # What each kind needs of the network's export (_data/generated/exports.json): a network,
    # its snapshots, its training split; the learning-rate slider reads only the shared files,
    # and the playground makes its own data and weights (nn-playground.js).
    LIVE_KINDS = { "digit-pad" => %w(network), "probe" => %w(network),
                   "neurons" => %w(network), "scrubber" => %w(network snapshots),
                   "train" => %w(network snapshots data), "lr-slider" => [],
                   "playground" => [], "graph-step" => [] }.freeze
    # The figure kinds (manifest `kind`) each live kind can play with: a probe or a training run
    # needs the plane of a decision boundary, the scrubber a boundary's evolution, the slider the
    # loss surface, the pad the digits' network; anything else builds, then fails in the browser.
    LIVE_FIGURES = { "digit-pad" => %w(digits), "probe" => %w(decision_boundary),
                     "neurons" => %w(neuron_heatmaps), "scrubber" => %w(boundary_evolution),
                     "train" => %w(decision_boundary), "lr-slider" => %w(loss_surface),
                     "playground" => %w(decision_boundary),
                     "graph-step" => %w(computation_graph) }.freeze
    # Values the options with a fixed set take.
    CHOICES = { "show" => %w(animation), "loading" => %w(lazy eager) }.freeze
    # Kinds that also read the figure's own data (its manifest entry's data: where the
    # neuron_heatmaps tiles are; the worked example's numbers at full precision), handed to the
    # page as data-nn-layout; the path is what that data must hold.
    LIVE_LAYOUT = { "neurons" => %w(wide tiles), "graph-step" => %w(exact) }.freeze
    # key=value, the value bare or in double or single quotes (which may hold spaces)
    OPTION = /\G\s*([A-Za-z_][\w-]*)=(?:"([^"]*)"|'([^']*)'|([^\s"']+))/.freeze
    PARAMS = %w(image_path dark_path narrow_path narrow_dark_path narrow_width narrow_height alt
                caption width height loading class on_demand on_demand_hide file_size
                dark_gif network live live_layout live_hint).freeze
    INCLUDE = "{% include nn-figure.html #{PARAMS.map { |p| "#{p}=nn_figure.#{p}" }.join(' ')} %}"
    TEMPLATE = Liquid::Template.parse(INCLUDE)

    def initialize(tag_name, markup, parse_context)
      super
      @name, rest = markup.strip.split(/\s+/, 2)
      raise Liquid::SyntaxError, "nn_figure: usage {% nn_figure NAME [key=value ...] %}" unless @name

      @options = self.class.parse_options(@name, rest.to_s)
      unknown = @options.keys - OPTIONS
      raise Liquid::SyntaxError, "nn_figure #{@name}: unknown option #{unknown.join(', ')}" unless unknown.empty?

      CHOICES.each do |option, values|
        next if !@options.key?(option) || values.include?(@options[option])

        raise Liquid::SyntaxError, "nn_figure #{@name}: #{option}=#{@options[option].inspect} " \
                                   "is not one of #{values.join(', ')}"
      end
      live = @options["live"]
      if @options.key?("hint") && live.nil?
        raise Liquid::SyntaxError, "nn_figure #{@name}: hint= is what to do with a live figure; " \
                                   "it needs live=KIND"
      end
      return if live.nil? || LIVE_KINDS.key?(live)

      raise Liquid::SyntaxError, "nn_figure #{@name}: unknown live figure live=#{live.inspect} " \
                                 "(known: #{LIVE_KINDS.keys.join(', ')})"
    end

    # "a=1 caption=\"two words\" b='x'" -> {"a" => "1", "caption" => "two words", "b" => "x"}
    def self.parse_options(name, text)
      options = {}
      position = 0
      while (match = OPTION.match(text, position))
        if options.key?(match[1])
          raise Liquid::SyntaxError, "nn_figure #{name}: option #{match[1]} given twice"
        end

        options[match[1]] = match[2] || match[3] || match[4]
        position = match.end(0)
      end
      rest = text[position..].strip
      return options if rest.empty?

      raise Liquid::SyntaxError, "nn_figure #{name}: cannot read the options from #{rest.inspect} " \
                                 "(write key=value, quoting a value that has spaces: caption=\"two words\")"
    end

    def render(context)
      figures = context.registers[:site].data.dig("generated", "figures") || {}
      entry = figures[@name]
      return pending if !entry && pending?(context.registers[:site])
      unless entry
        known = figures.empty? ? "(none: run nn-blog render)" : figures.keys.sort.join(", ")
        raise ArgumentError, "nn_figure: unknown figure '#{@name}' (not in " \
                             "_data/generated/figures.json); known figures: #{known}"
      end
      site = context.registers[:site]
      check_live(entry, site.data.dig("generated", "exports") || {}, site)
      context.stack do
        context["nn_figure"] = params(entry, context.registers[:site].source)
        TEMPLATE.render!(context)
      end
    end

    private

    # Under nn-blog serve, a figure declared in _data/figures.yml but not drawn yet (its render
    # failed, or a later one will draw it) is a placeholder naming it, not a failed build.
    def pending?(site)
      declared = site.data["figures"]
      NNBlog::Serving.active? && declared.is_a?(Hash) && declared.key?(@name)
    end

    def pending
      "<figure class=\"nn-figure nn-figure-pending\" style=\"border:2px dashed #888;" \
        "padding:2em 1em;text-align:center;font-family:ui-monospace,monospace\">" \
        "figure '#{CGI.escapeHTML(@name)}' is declared in _data/figures.yml but not drawn yet " \
        "(nn-blog serve shows it once its render succeeds)</figure>"
    end

    # live=KIND names what the figure's network must have been exported with: one clear error
    # otherwise (the page would only warn in the console and stay static).
    def check_live(entry, exports, site = nil)
      layout = LIVE_LAYOUT[@options["live"]]
      if layout && !(entry["data"].is_a?(Hash) && entry["data"].dig(*layout))
        what = layout == %w(exact) ? "its numbers at full precision (kind computation_graph, " \
                                     "run nn-blog render)" : "where its tiles are (kind neuron_heatmaps)"
        raise ArgumentError, "nn_figure #{@name}: live=#{@options['live']} needs a figure that " \
                             "records #{what}; '#{@name}' is a #{entry['kind']} figure"
      end
      fits = LIVE_FIGURES[@options["live"]]
      if fits && !fits.include?(entry["kind"])
        raise ArgumentError, "nn_figure #{@name}: live=#{@options['live']} plays with a " \
                             "#{fits.join(' or ')} figure; '#{@name}' is a #{entry['kind'].inspect} figure"
      end
      needs = LIVE_KINDS[@options["live"]]
      return if needs.nil? || needs.empty?

      network = entry["network"]
      raise ArgumentError, "nn_figure #{@name}: live=#{@options['live']} needs a figure drawn from a network" unless network

      exported = (exports["networks"] || {})[network]
      missing = needs - %w(network)
      missing = missing.reject { |option| exported && exported.dig("options", option) }
      return if exported && missing.empty?

      what = exported ? "with its #{missing.join(' and ')}" : "at all (run nn-blog render)"
      raise ArgumentError, "nn_figure #{@name}: live=#{@options['live']} needs network " \
                           "'#{network}' exported #{what}; #{export_rule(missing, network, site)}"
    end

    # Why an export lacks what a live kind needs: the rule and its limit (`nn-blog kinds`).
    def export_rule(missing, network, site)
      limit = NNBlog.info&.dig("limits", "train_data_max")
      dataset = site&.data&.dig("networks", network, "dataset")
      samples = dataset.is_a?(Hash) ? dataset["n_samples"] : nil
      has = samples ? " ('#{network}' has n_samples: #{samples})" : ""
      if missing.include?("data")
        "rule: nn-blog exports a network's training data only for a plane data set of at most " \
          "#{limit || 'TRAIN_DATA_MAX'} points#{has}; lower n_samples in _data/networks.yml, or " \
          "use live=probe (see nn-blog kinds)"
      elsif missing.include?("snapshots")
        "rule: nn-blog exports snapshots when a boundary_evolution figure draws the network or " \
          "its data set has at most #{limit || 'TRAIN_DATA_MAX'} points#{has} (see nn-blog kinds)"
      else
        "_data/generated/exports.json does not list it"
      end
    end

    # SVG first: sharp at any zoom; the PNG is the fallback when a kind has no vector form.
    def params(entry, source)
      narrow = entry["narrow"].is_a?(Hash) ? entry["narrow"] : {}
      params = { "image_path" => pick(entry["light"]), "dark_path" => pick(entry["dark"]),
                 "narrow_path" => pick(narrow["light"]), "narrow_dark_path" => pick(narrow["dark"]),
                 "narrow_width" => narrow["width"], "narrow_height" => narrow["height"],
                 "alt" => entry["alt"], "caption" => @options["caption"] || entry["caption"],
                 "width" => entry["width"], "height" => entry["height"],
                 "loading" => @options["loading"], "class" => @options["class"],
                 "network" => entry["network"], "live" => @options["live"],
                 "live_layout" => LIVE_LAYOUT[@options["live"]] && JSON.generate(entry["data"]),
                 "live_hint" => @options["hint"] }
      @options["show"] == "animation" ? params.merge(animation(entry, source)) : params
    end

    def pick(files)
      files.is_a?(Hash) ? files["svg"] || files["png"] : nil
    end

    # The GIF is large: the page offers it behind a link instead of loading it (figure.html's
    # on_demand), sized from the file's own header (its logical screen: width, height at bytes 6-9).
    def animation(entry, source)
      gif = entry.dig("extra", "gif") || raise(ArgumentError, "nn_figure #{@name}: no animation")
      file = File.join(source, gif)
      width, height = File.file?(file) ? File.binread(file, 10).unpack("x6vv") : [nil, nil]
      { "image_path" => gif, "dark_path" => nil, "narrow_path" => nil, "narrow_dark_path" => nil,
        "dark_gif" => entry.dig("extra", "gif_dark"), "width" => width, "height" => height,
        "on_demand" => "Play the animation", "on_demand_hide" => "Hide the animation",
        "file_size" => File.file?(file) ? "GIF, #{NNBlog.kilobytes(File.size(file))}" : nil }
    end
  end

  # --- filters for figures and results ---------------------------------------------------------
  module Filters
    def nn_percent(value, digits = 1)
      count = NNBlog.digits(digits, "nn_percent")
      "#{NNBlog.fixed(NNBlog.number(value, 'nn_percent') * 100, count, 'nn_percent', value)}%"
    end

    # An address a page may link to or load: http, https, mailto, or a path of the site (no
    # scheme). Anything else (javascript:, data:, "java\tscript:") fails the build naming `what`:
    # a front-matter url or a tampered exports.json must not become a live link.
    def nn_safe_url(value, what = "nn_safe_url")
      return value if value.nil? || NNBlog::Caption.safe_url?(value.to_s)

      raise ArgumentError, "#{what}: #{value.to_s.inspect} is not an address a page may use " \
                           "(http, https, mailto or a path of the site)"
    end

    def nn_required(value, what)
      raise ArgumentError, "#{what} is required" if value.nil? || value.to_s.strip.empty?

      value
    end

    def nn_number(value, digits = 2)
      count = NNBlog.digits(digits, "nn_number")
      NNBlog.fixed(NNBlog.number(value, "nn_number"), count, "nn_number", value)
    end

    # A caption is plain text with inline Markdown (emphasis, code, links, $$math$$), made safe:
    # parsed by kramdown and written back element by element (caption.rb): raw HTML and
    # attribute lists ({: ...}) show as text, and a link whose address has a scheme other than
    # http, https or mailto shows as its text.
    def nn_caption(text)
      return "" if text.nil? || text.to_s.strip.empty?

      NNBlog::Caption.html(text.to_s)
    end
  end

  module_function

  # A decimal number as a results file or a post writes it: not hex ("0x1A", which Float reads
  # as 26), not "1_0", not Infinity or NaN.
  DECIMAL = /\A\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*\z/.freeze

  def number(value, filter)
    number = value.is_a?(Numeric) ? value : (DECIMAL.match?(value.to_s) && Float(value))
    raise ArgumentError unless number && (!number.is_a?(Float) || number.finite?)

    number
  rescue ArgumentError, TypeError
    raise ArgumentError, "#{filter}: expected a number, got #{value.inspect} (a missing result?)"
  end

  # format("%.1f") of a finite value, refusing what overflows (1e308 as a percentage: "Inf%") and
  # writing no minus sign on a zero ("-0" and -0.00001 both print 0.0).
  def fixed(value, digits, filter, original)
    raise ArgumentError, "#{filter}: #{original.inspect} is out of range" unless value.to_f.finite?

    text = format("%.#{digits}f", value)
    text.match?(/\A-[0.]*\z/) ? text.delete_prefix("-") : text
  end

  def digits(value, filter)
    count = Integer(value)
    raise ArgumentError unless count.between?(0, 12)

    count
  rescue ArgumentError, TypeError
    raise ArgumentError, "#{filter}: the number of decimals must be an integer from 0 to 12, " \
                         "got #{value.inspect}"
  end

  def kilobytes(bytes)
    "#{(bytes / 1000.0).round} kB"
  end
end
