# frozen_string_literal: true

# Social cards: each post's `image` (which jekyll-seo-tag turns into og:image and twitter:image)
# is the 1200x630 card `nn-blog render` drew for it (nn_blog/cards.py), listed in
# _data/generated/cards.json; every other page, and a post without a header image, gets the
# site's default card. A post that sets `image:` itself keeps it.
#
# A card names its post by source file ("source": _posts/2020-01-02-slug.md, the post's
# relative_path), never by URL: only Jekyll knows the URL a permalink with placeholders or
# categories gives, and a URL guessed wrong linked the default card instead (issue 20).
module NNBlog
  class CardsGenerator < Jekyll::Generator
    safe true
    priority :low

    def generate(site)
      cards = site.data.dig("generated", "cards", "cards")
      return unless cards.is_a?(Hash)

      by_source = cards.values.each_with_object({}) do |card, map|
        map[card["source"]] = card if card.is_a?(Hash) && card["source"].is_a?(String)
      end
      fallback = cards["default"]
      (site.posts.docs + site.pages).each do |doc|
        next if doc.data.key?("image")
        next unless doc.respond_to?(:output_ext) && doc.output_ext == ".html"

        card = by_source[doc.relative_path] || fallback
        next unless card

        doc.data["image"] = { "path" => card["path"], "width" => card["width"],
                              "height" => card["height"] }
      end
    end
  end
end
