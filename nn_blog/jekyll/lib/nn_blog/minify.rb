# frozen_string_literal: true

# The plugin's scripts (/assets/nn-blog/) are served minified: after the site is written, each
# one's copy in _site is replaced by what terser makes of it (minify.mjs beside this file, one
# `node` process per build, argv form, JSON on stdin). The sources in the package stay as written,
# with their comments; the live figures' size budget is measured on what the reader gets.
#
# Results are cached by terser's version and the source's bytes (.jekyll-cache/nn-minify/), so a
# warm build, and every rebuild of `jekyll serve`, starts no node. `nn_blog: {minify_js: false}`
# in _config.yml serves the sources as they are (to debug in a browser). A script terser cannot
# parse fails the build with one line naming the file, the line and the column.
require "digest"
require "fileutils"
require "json"

module NNMinify
  SCRIPT = File.join(__dir__, "minify.mjs")
  FOLDER = "/#{NNBlog::Assets::URL}/"
  NODE_SECONDS = 120
  # Bumped when nn_minify.mjs changes what it writes, so old cache entries are not reused.
  FORMAT = 1

  module_function

  def fail!(message, site)
    NNNode.fail!("nn_minify", message, site)
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
    NNNode.package_version(site, "terser") ||
      fail!(NNNode.missing("terser"), site)
  end

  def minify_site(site)
    return unless enabled?(site)

    files = scripts(site)
    return if files.empty?

    version = version(site)
    folder = File.join(site.source, ".jekyll-cache", "nn-minify")
    cached = ->(code) { File.join(folder, "#{Digest::SHA256.hexdigest("#{version}\0#{FORMAT}\0#{code}")}.js") }
    sources = files.to_h { |file| [file, source(file, site)] }
    missing = sources.reject { |_, code| File.file?(cached.call(code)) }
    minify(missing, site).each { |code, small| write(cached.call(code), small) } unless missing.empty?
    sources.each do |file, code|
      dest = file.destination(site.dest)
      small = File.binread(cached.call(code))
      write(dest, small) unless File.file?(dest) && File.binread(dest) == small
    end
  end

  # A script's text, read as UTF-8; one that is not (a Latin-1 byte) fails the build with one line
  # naming it (JSON.generate would raise a 38-line backtrace on it, issue 20).
  def source(file, site)
    code = File.binread(file.path).force_encoding(Encoding::UTF_8)
    return code if code.valid_encoding?

    line = code.each_line.find_index { |text| !text.valid_encoding? }.to_i + 1
    fail!("#{file.relative_path.delete_prefix('/')}:#{line}: not UTF-8 text (save the script as UTF-8)", site)
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
    NNNode.run(SCRIPT, stdin, NODE_SECONDS)
  rescue NNNode::Failure => e
    fail!(e.message, site)
  end
end
