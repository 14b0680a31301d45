# frozen_string_literal: true

# The plugin is loaded once, here; each example builds a copy of spec/fixture/ with the real
# _includes/ and _layouts/ beside it, so the specs exercise the markup readers get.
require "fileutils"
require "jekyll"
require "logger"
require "nokogiri"
require "stringio"
require "tmpdir"

REPO = File.expand_path("..", __dir__)
FIXTURE = File.join(__dir__, "fixture")
# The blog's own _plugins/: the loader (nn-blog's plugin, from the package) and its theme helpers.
require File.join(REPO, "_plugins", "nn_blog.rb")
require File.join(REPO, "_plugins", "theme.rb")

module FixtureSite
  # Build the fixture into a temporary directory; yields the source dir before building so an
  # example can add or change files. Returns the Jekyll::Site.
  def build_fixture(config = {})
    @source = Dir.mktmpdir("nn-blog-fixture")
    FileUtils.cp_r(File.join(FIXTURE, "."), @source)
    %w(_includes _layouts).each { |dir| FileUtils.cp_r(File.join(REPO, dir), @source) }
    FileUtils.rm_rf(File.join(@source, "_includes", "generated"))
    yield @source if block_given?
    site = Jekyll::Site.new(fixture_config(config))
    site.process
    site
  end

  def fixture_config(overrides = {})
    Jekyll.configuration({ "source" => @source, "destination" => File.join(@source, "_site"),
                           "plugins_dir" => File.join(@source, "_no_plugins"), "quiet" => true }
                           .merge(overrides))
  end

  def output(path)
    File.read(File.join(@source, "_site", path))
  end

  def write(relative, text)
    path = File.join(@source, relative)
    FileUtils.mkdir_p(File.dirname(path))
    File.write(path, text)
  end
end

# Search (Pagefind) is checked on the built blog (tests/site); the math cache is shared by every
# fixture build (each is a fresh folder), so MathJax runs once per expression, not once per build.
ENV["NN_BLOG_SKIP_SEARCH"] = "1"
ENV["NN_MATH_CACHE"] ||= File.join(Dir.tmpdir, "nn-blog-spec-math-#{Process.pid}.json")
at_exit do
  cache = ENV["NN_MATH_CACHE"]
  FileUtils.rm_rf([cache, "#{cache}.fonts"]) if cache.include?("nn-blog-spec-math-")
end

# Builds that are meant to fail log their errors; keep them out of the spec's output.
SPEC_LOG = StringIO.new
Jekyll.logger = Logger.new(SPEC_LOG)

RSpec.configure do |config|
  config.include FixtureSite
  config.before { NNBlog::Render.reset! }
  config.after { FileUtils.rm_rf(@source) if @source }
  config.disable_monkey_patching!
end
