# frozen_string_literal: true

# nn-blog's loader, written by `nn-blog init`. The plugin itself lives in the installed nn-blog
# package and is loaded from there, so `pip install -U nn-blog` upgrades it and this file never
# changes. It finds nn-blog as $NN_BLOG (the path of an `nn-blog` command), then the site's own
# .venv/bin/nn-blog, then `nn-blog` on the PATH, and asks it where the plugin is.
require "json"
require "open3"

module NNBlogLoader
  SITE = File.expand_path("..", __dir__)

  module_function

  def commands
    path = ENV.fetch("PATH", "").split(File::PATH_SEPARATOR).map { |dir| File.join(dir, "nn-blog") }
    [ENV["NN_BLOG"], File.join(SITE, ".venv", "bin", "nn-blog"), *path]
      .compact.reject(&:empty?).uniq.select { |cmd| File.file?(cmd) && File.executable?(cmd) }
  end

  def locate
    commands.each do |cmd|
      out, status = Open3.capture2(cmd, "plugin", "--json")
      return JSON.parse(out) if status.success?
    rescue JSON::ParserError, SystemCallError
      next
    end
    nil
  end

  def fail(message)
    Jekyll.logger.error "nn-blog:", message
    [$stdout, $stderr].each(&:flush)
    exit! 2
  end
end

NN_BLOG_INFO = NNBlogLoader.locate ||
               NNBlogLoader.fail("nn-blog is not installed where this site can find it " \
                                 "(NN_BLOG, .venv/bin, PATH): pip install nn-blog")
require File.join(NN_BLOG_INFO.fetch("plugin"), "lib", "nn_blog.rb")
NNBlog.setup(NN_BLOG_INFO)
