# frozen_string_literal: true

# The scripts under assets/js are served minified: after the site is written, each one's copy in
# _site is replaced by what terser makes of it (_plugins/nn_minify.mjs, one `node` process per
# build, argv form, JSON on stdin). The sources in assets/js stay as written, with their comments;
# the live figures' size budget (60 kB gzipped per page) is measured on what the reader gets.
#
# Results are cached by terser's version and the source's bytes (.jekyll-cache/nn-minify/), so a
# warm build, and every rebuild of `jekyll serve`, starts no node. `nn_blog: {minify_js: false}`
# in _config.yml serves the sources as they are (to debug in a browser). A script terser cannot
# parse fails the build with one line naming the file, the line and the column.
require "digest"
require "fileutils"
require "json"
require "open3"

module NNMinify
  SCRIPT = File.join(__dir__, "nn_minify.mjs")
  FOLDER = "/assets/js/"
  NODE_SECONDS = 120
  # Bumped when nn_minify.mjs changes what it writes, so old cache entries are not reused.
  FORMAT = 1

  module_function

  def fail!(message, site)
    raise Jekyll::Errors::FatalException, "nn_minify: #{message}" if site.config["watch"]

    Jekyll.logger.error "nn_minify:", message
    [$stdout, $stderr].each(&:flush)
    exit! 2
  end

  def enabled?(site)
    (site.config["nn_blog"] || {}).fetch("minify_js", true) != false
  end

  def scripts(site)
    site.static_files.select do |file|
      file.relative_path.start_with?(FOLDER) && file.extname == ".js" && file.write?
    end
  end

  def version(site)
    package = File.join(site.source, "node_modules", "terser", "package.json")
    package = File.join(__dir__, "..", "node_modules", "terser", "package.json") unless File.file?(package)
    JSON.parse(File.read(package)).fetch("version")
  rescue Errno::ENOENT
    fail!("terser is not installed (node_modules/terser): run `make site-setup`", site)
  end

  def minify_site(site)
    return unless enabled?(site)

    files = scripts(site)
    return if files.empty?

    version = version(site)
    folder = File.join(site.source, ".jekyll-cache", "nn-minify")
    cached = ->(code) { File.join(folder, "#{Digest::SHA256.hexdigest("#{version}\0#{FORMAT}\0#{code}")}.js") }
    sources = files.to_h { |file| [file, File.binread(file.path).force_encoding(Encoding::UTF_8)] }
    missing = sources.reject { |_, code| File.file?(cached.call(code)) }
    minify(missing, site).each { |code, small| write(cached.call(code), small) } unless missing.empty?
    sources.each do |file, code|
      dest = file.destination(site.dest)
      small = File.binread(cached.call(code))
      write(dest, small) unless File.file?(dest) && File.binread(dest) == small
    end
  end

  # {file => source} -> [[source, minified], ...]
  def minify(missing, site)
    names = missing.keys.map { |file| file.relative_path.delete_prefix("/") }
    Jekyll.logger.info "nn_minify:", "minifying #{names.size} script(s) with terser"
    request = { "files" => names.zip(missing.values).map { |name, code| { "name" => name, "code" => code } } }
    reply = run_node(JSON.generate(request), site)
    reply.fetch("results").zip(names, missing.values).map do |result, name, code|
      fail!("#{name}:#{result['error']}", site) if result["error"]
      [code, result.fetch("code")]
    end
  end

  def write(path, text)
    FileUtils.mkdir_p(File.dirname(path))
    tmp = "#{path}.#{Process.pid}.tmp"
    File.binwrite(tmp, text)
    File.rename(tmp, path)
  end

  def run_node(stdin, site)
    Open3.popen3("node", SCRIPT) do |input, output, errors, thread|
      reader = Thread.new { output.read }
      complaints = Thread.new { errors.read }
      input.write(stdin)
      input.close
      unless thread.join(NODE_SECONDS)
        Process.kill("KILL", thread.pid)
        fail!("node #{SCRIPT} did not finish within #{NODE_SECONDS} s", site)
      end
      status = thread.value
      out = reader.value
      err = complaints.value # joined before the block closes the pipe it reads
      unless status.success?
        first = err.lines.map(&:strip).reject(&:empty?).first(3).join(" | ")
        fail!("node #{SCRIPT} failed (exit #{status.exitstatus}): #{first} (run `make site-setup`?)", site)
      end
      JSON.parse(out)
    end
  rescue Errno::ENOENT
    fail!("node is not installed: run `make site-deps`", site)
  end
end

Jekyll::Hooks.register(:site, :post_write) { |site| NNMinify.minify_site(site) }
