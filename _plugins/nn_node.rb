# frozen_string_literal: true

# What the plugins that hand work to a Node script share (nn_math: MathJax, nn_minify: terser):
# the version of the npm package they use, one bounded run of the script, and one way to fail.

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

  # The version of npm package `name` in the site's node_modules, else in the one beside the
  # plugins; nil if neither has it.
  def package_version(site, name)
    [site.source, File.join(__dir__, "..")].each do |root|
      package = File.join(root, "node_modules", name, "package.json")
      return JSON.parse(File.read(package)).fetch("version") if File.file?(package)
    end
    nil
  end

  # `node script` with `stdin` written to it -> its standard output parsed as JSON. Raises
  # Failure if node is missing, fails or runs longer than `seconds` (then it is killed).
  def run(script, stdin, seconds)
    Open3.popen3("node", script) do |input, output, errors, thread|
      reader = Thread.new { output.read }
      complaints = Thread.new { errors.read }
      input.write(stdin)
      input.close
      unless thread.join(seconds)
        Process.kill("KILL", thread.pid)
        raise Failure, "node #{script} did not finish within #{seconds} s"
      end
      status = thread.value
      out = reader.value
      err = complaints.value # joined before the block closes the pipe it reads
      unless status.success?
        first = err.lines.map(&:strip).reject(&:empty?).first(3).join(" | ")
        raise Failure, "node #{script} failed (exit #{status.exitstatus}): #{first} (run `make site-setup`?)"
      end
      JSON.parse(out)
    end
  rescue Errno::ENOENT
    raise Failure, "node is not installed: run `make site-deps`"
  end
end
