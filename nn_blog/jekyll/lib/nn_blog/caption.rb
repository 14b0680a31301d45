# frozen_string_literal: true

# A caption (_data/figures.yml, or nn_figure's caption= option) as safe inline HTML.
#
# The caption is parsed once, by kramdown's own parser with everything that could carry markup
# switched off (raw HTML, attribute lists, extensions, link definitions, footnotes, block
# syntax), and the HTML is written here by walking kramdown's element tree: every text node is
# escaped by this file, and only these elements are emitted: emphasis, strong, code spans, links
# whose address is http, https, mailto or relative, and math (handed to the math pass as post
# math, see NNMath.mark). Anything else shows as its text. No regular expression runs in front
# of the parser, so a code span, math span or HTML tag is read exactly as kramdown reads it
# (issue 20, row 1: a split on $$...$$ ahead of kramdown let `$$` in code spans smuggle an <img>).
require "cgi"
require "kramdown"
require "kramdown-parser-gfm"

module NNBlog
  module Caption
    # GFM with only the inline syntax a caption may use.
    class Parser < Kramdown::Parser::GFM
      SPANS = %i(emphasis codespan autolink link smart_quotes inline_math html_entity
                 typographic_syms escaped_chars escaped_chars_gfm strikethrough_gfm).freeze

      def initialize(source, options)
        super
        @block_parsers = %i(blank_line paragraph)
        @span_parsers = @span_parsers.select { |name| SPANS.include?(name) }
      end
    end

    SAFE_SCHEMES = %w(http https mailto).freeze

    module_function

    def html(text)
      root = Kramdown::Document.new(text.to_s, input: "NNBlog::Caption::Parser", auto_ids: false,
                                               math_engine: nil, hard_wrap: false).root
      @entities = Kramdown::Converter::Html.send(:new, root, Kramdown::Options.merge({}))
      walk(root).strip
    end

    def walk(element)
      case element.type
      when :root then element.children.map { |child| walk(child) }.join(" ")
      when :text then escape(element.value)
      when :em, :strong then "<#{element.type}>#{inner(element)}</#{element.type}>"
      when :codespan then "<code>#{escape(element.value)}</code>"
      when :a then link(element)
      when :math then NNMath.mark(element.value, false)
      # &amp; &lsquo; &mdash; ...: kramdown writes these as entities, never as markup
      when :entity, :smart_quote, :typographic_sym then @entities.convert(element)
      when :img then escape(element.attr["alt"].to_s)
      when :br then " "
      else element.children.empty? ? escape(element.value.to_s) : inner(element)
      end
    end

    def inner(element)
      element.children.map { |child| walk(child) }.join
    end

    def link(element)
      href = element.attr["href"].to_s
      return inner(element) unless safe_url?(href)

      %(<a href="#{escape(href)}">#{inner(element)}</a>)
    end

    def escape(text)
      CGI.escapeHTML(text.to_s)
    end

    # What a browser would read as the scheme: it drops ASCII whitespace and control characters
    # anywhere in a URL (so "java\tscript:" is javascript:).
    def safe_url?(url)
      plain = url.gsub(/[\x00-\x20\x7f]/, "")
      scheme = plain[%r{\A([^:/?#]*):}, 1]
      scheme.nil? || SAFE_SCHEMES.include?(scheme.downcase)
    end
  end
end
