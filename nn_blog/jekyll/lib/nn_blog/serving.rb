# frozen_string_literal: true

# What changes while `nn-blog serve` runs Jekyll (it sets NN_BLOG_SERVE to its control folder,
# .cache/nn-blog/serve/). Nothing here acts in `jekyll build`, `make site` or a plain
# `jekyll serve`.
#
# One build order (issue 17): Jekyll's own watcher would rebuild on every file it sees change,
# before nn-blog's render has drawn what a post names ("unknown figure") and once more when the
# render publishes (two builds for one edit). Under nn-blog serve, Jekyll watches one file
# instead: `request`, which serve writes (a counter) once a burst of saves has settled and any
# render it called for has finished. Jekyll then builds once and writes `build.json` with the
# same counter and the outcome, which serve waits for.
#
# Errors in the page: serve writes the render's one-line error to `error.json` (and removes it
# after a good render); every page built while it is there gets a banner at the top. A build
# that fails writes no pages, so the banner (the build's error) is put into the last good
# build's pages in _site, and LiveReload is told to reload. The next good build writes the pages
# again, without it.
require "cgi"
require "json"

module NNBlog
  module Serving
    BANNER_ID = "nn-blog-serve-error"
    BANNER = %r{<div id="#{BANNER_ID}"[^>]*>.*?</div>\n?}m.freeze
    POLL = 0.05 # seconds between looks at the request file

    module_function

    def dir
      value = ENV["NN_BLOG_SERVE"]
      value && !value.empty? ? value : nil
    end

    def active?
      !dir.nil?
    end

    def read_json(name)
      JSON.parse(File.read(File.join(dir, name)))
    rescue StandardError
      nil
    end

    def write_json(name, data)
      path = File.join(dir, name)
      tmp = "#{path}.#{Process.pid}.tmp"
      File.write(tmp, JSON.generate(data))
      File.rename(tmp, path)
    end

    # The errors to show: the render's (serve writes it) and, after a failed build, the build's.
    def errors(build_error = nil)
      render = read_json("error.json")
      lines = []
      lines << render if render.is_a?(Hash) && render["message"]
      lines << { "message" => build_error, "time" => Time.now.strftime("%H:%M:%S") } if build_error
      lines
    end

    def banner(errors)
      items = errors.map do |e|
        "<p style=\"margin:0\">#{CGI.escapeHTML(e['message'].to_s)} " \
          "<span style=\"opacity:.8\">(#{CGI.escapeHTML(e['time'].to_s)})</span></p>"
      end
      "<div id=\"#{BANNER_ID}\" role=\"alert\" style=\"position:sticky;top:0;z-index:2147483647;" \
        "background:#8b0000;color:#fff;font:14px/1.45 ui-monospace,monospace;" \
        "padding:.6em 1em;white-space:pre-wrap;overflow-wrap:anywhere\">" \
        "<strong>nn-blog serve: the page below is from the last good build.</strong>" \
        "#{items.join}</div>\n"
    end

    def inject(html, errors)
      html = html.sub(BANNER, "")
      return html if errors.empty?

      html.sub(/<body\b[^>]*>/) { |tag| "#{tag}\n#{banner(errors)}" }
    end

    # post_render: the render's error on every page of this build.
    def decorate(site)
      return unless active?

      found = errors
      return if found.empty?

      (site.pages + site.documents).each do |doc|
        doc.output = inject(doc.output, found) if doc.output&.include?("<body")
      end
    end

    # A failed build: the banner into the pages the last good build wrote.
    def mark_site(site, message)
      found = errors(message)
      (site.pages + site.documents).each do |doc|
        path = doc.destination(site.dest)
        next unless path.end_with?(".html") && File.file?(path)

        html = File.read(path)
        File.write(path, inject(html, found)) if html.include?("<body")
      end
    rescue StandardError => e
      Jekyll.logger.warn "nn_blog:", "could not mark the pages in _site: #{e.message}"
    end

    # The one-line message of a failed build, paths relative to the site.
    def one_line(error, site)
      text = error.message.to_s.lines.first.to_s.strip
      text = text.gsub("#{site.source}/", "")
      text.empty? ? error.class.name : text
    end

    def build(site, number)
      started = Time.now
      Jekyll.logger.info "Regenerating:", "nn-blog serve asked (##{number})"
      site.process
      seconds = (Time.now - started).round(3)
      Jekyll.logger.info "", "...done in #{seconds} seconds."
      write_json("build.json", { "n" => number, "ok" => true, "seconds" => seconds })
    rescue StandardError => e
      message = one_line(e, site)
      Jekyll.logger.error "Error:", message
      mark_site(site, message)
      reload_browsers
      write_json("build.json", { "n" => number, "ok" => false, "error" => message,
                                 "seconds" => (Time.now - started).round(3) })
    end

    # A failed build sends no LiveReload message of its own: tell the pages to reload ("/" matches
    # every page).
    def reload_browsers
      reactor = Jekyll::Commands::Serve.instance_variable_get(:@reload_reactor)
      return unless reactor&.running?

      reactor.reload([Struct.new(:url, :relative_path).new("/", "/")])
    rescue StandardError => e
      Jekyll.logger.warn "nn_blog:", "LiveReload: #{e.message}"
    end

    def request_number
      Integer(File.read(File.join(dir, "request")).strip)
    rescue StandardError
      nil
    end

    # Instead of Jekyll's file watcher: build when serve asks. The initial build has been done.
    def watch(site)
      # 0, not the request already there: one saved during the initial build may not be in it
      seen = 0
      write_json("build.json", { "n" => seen, "ok" => true, "seconds" => 0 })
      Jekyll.logger.info "Auto-regeneration:", "driven by nn-blog serve (one build per change)"
      Thread.new do
        loop do
          sleep POLL
          number = request_number
          next if number.nil? || number == seen

          seen = number
          build(site, number)
        end
      end
    end
  end

  # Jekyll::Watcher.watch, replaced while nn-blog serve runs Jekyll.
  module ServeWatcher
    def watch(options, site = nil)
      return super unless NNBlog::Serving.active?

      NNBlog::Serving.watch(site || Jekyll::Site.new(options))
    end
  end
end

if NNBlog::Serving.active?
  require "jekyll-watch"
  Jekyll::Watcher.singleton_class.prepend(NNBlog::ServeWatcher)
end
