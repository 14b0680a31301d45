# frozen_string_literal: true

# Search: after every build, Pagefind indexes the posts into DEST/pagefind/ (with the site's own pagefind.yml, if it has one).
# The binary comes from the `pagefind-bin` wheel installed with nn-blog, run by the same Python
# (`python -m pagefind_bin`, argv form), however Jekyll was started. Without it the site still builds, with a warning and no
# search; the browser tests fail in that case, so CI cannot miss it.
require "open3"

module NNBlog
  module Search
    module_function

    def index(site)
      return if ENV["NN_BLOG_SKIP_SEARCH"] == "1"

      python = ENV["NN_BLOG_PYTHON"] || NNBlog.info&.fetch("python", nil) || "python3"
      argv = [python, "-m", "pagefind_bin", "--site", site.dest, "--quiet"]
      out, status = Open3.capture2e(*argv, chdir: site.source)
      return if status.success?

      if out.include?("No module named pagefind_bin")
        Jekyll.logger.warn "nn_search:", "pagefind-bin is not installed (pip install nn-blog installs it); no search index"
      else
        raise Jekyll::Errors::FatalException, "nn_search: pagefind failed: #{out.lines.last(3).join.strip}"
      end
    rescue Errno::ENOENT
      Jekyll.logger.warn "nn_search:", "#{python} not found; no search index"
    end
  end
end
