# frozen_string_literal: true

# What the parts that hand work to a Node script share (math: MathJax, minify: terser): where
# the Node packages are, the version of one, a bounded run of a script, and one way to fail.
#
# The packages (nn_blog/jekyll/node/package.json, locked) live in a cache outside the site,
# installed by `nn-blog setup`; the loader reports the folder. When it is missing the first part
# that needs it runs that set-up once (one "setup:" line, then npm's own output only on failure).

require "json"
require "open3"

module NNNode
  # A failure of a run, as one line; the plugin fails the build with it.
  class Failure < StandardError; end

  module_function

  # One line naming the plugin, exit 2, for `jekyll build`; `jekyll serve --watch` gets an
  # exception instead, which its watcher prints before it waits for the next change (an exit
  # would stop the server). Without a site, the exception.
  def fail!(plugin, message, site = nil)
    raise Jekyll::Errors::FatalException, "#{plugin}: #{message}" if site.nil? || site.config["watch"]

    Jekyll.logger.error "#{plugin}:", message
    # Jekyll's command line rescues SystemExit and adds a backtrace; nothing is written yet.
    [$stdout, $stderr].each(&:flush)
    exit! 2
  end

  # The node_modules folder of the build's Node packages, installed first if missing; nil when
  # nn-blog was not found or the set-up failed (each caller says what it cannot do).
  def modules
    return @modules if @modules && File.directory?(@modules)

    info = NNBlog.info || {}
    @modules = info["node_modules"]
    @modules = install(info) unless @modules && File.directory?(@modules)
    @modules
  end

  def install(info)
    return nil unless NNBlog.command

    out, status = Open3.capture2e(*NNBlog.command, "setup", "--json")
    if status.success?
      JSON.parse(out.lines.last.to_s)["node_modules"]
    else
      @setup_error = out.lines.map(&:strip).reject(&:empty?).last(2).join(" | ")
      nil
    end
  rescue JSON::ParserError, Errno::ENOENT
    nil
  end

  # What to tell the author when a package is missing.
  def missing(name)
    why = @setup_error ? " (#{@setup_error})" : ""
    "#{name} is not installed#{why}: run `nn-blog setup` (nn-blog doctor says what else is missing)"
  end

  # The version of npm package `name` in the build's Node packages; nil if it is not there.
  def package_version(_site, name)
    folder = modules
    return nil unless folder

    package = File.join(folder, name, "package.json")
    File.file?(package) ? JSON.parse(File.read(package)).fetch("version") : nil
  end

  # `node script` with `stdin` written to it -> its standard output parsed as JSON. The script
  # finds the packages through NN_BLOG_NODE_MODULES. Raises Failure if node is missing, fails or
  # runs longer than `seconds` (then it is killed).
  def run(script, stdin, seconds)
    env = { "NN_BLOG_NODE_MODULES" => modules.to_s }
    Open3.popen3(env, "node", script) do |input, output, errors, thread|
      reader = Thread.new { output.read }
      complaints = Thread.new { errors.read }
      input.write(stdin)
      input.close
      unless thread.join(seconds)
        Process.kill("KILL", thread.pid)
        # the readers see the end of the dead process's pipes before the block closes them
        [thread, reader, complaints].each(&:join)
        raise Failure, "node #{File.basename(script)} did not finish within #{seconds} s"
      end
      status = thread.value
      out = reader.value
      err = complaints.value # joined before the block closes the pipe it reads
      unless status.success?
        first = err.lines.map(&:strip).reject(&:empty?).first(3).join(" | ")
        raise Failure, "node #{File.basename(script)} failed (exit #{status.exitstatus}): #{first}"
      end
      JSON.parse(out)
    end
  rescue Errno::ENOENT
    raise Failure, "node is not installed: install Node.js 18 or newer (nn-blog doctor)"
  end
end
