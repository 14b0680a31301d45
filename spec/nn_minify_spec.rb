# frozen_string_literal: true

require_relative "spec_helper"

RSpec.describe "scripts served minified (nn_minify)" do
  SOURCE = <<~JS
    // A module with comments, long names and an import, as the live figures are written.
    import { predict } from "./engine.js";

    /* Probabilities as whole percentages. */
    export function percentages(network, rows) {
      const probabilities = predict(network, rows); // one row per input row
      return probabilities.map((row) => row.map((p) => Math.round(100 * p)));
    }
  JS

  def build_with_script(config = { "nn_blog" => { "minify_js" => true } }, code = SOURCE)
    build_fixture(config) { write("assets/nn-blog/js/live/example.js", code) }
  end

  it "serves a minified copy and leaves the source as written" do
    build_with_script
    served = output("assets/nn-blog/js/live/example.js")
    expect(served).not_to include("//", "/*", "probabilities")
    expect(served).to include('from"./engine.js"', "export", "percentages")
    expect(served.bytesize).to be < SOURCE.bytesize / 2
    expect(File.read(File.join(@source, "assets/nn-blog/js/live/example.js"))).to eq(SOURCE)
  end

  it "reuses the cache: a second build starts no node" do
    build_with_script
    first = output("assets/nn-blog/js/live/example.js")
    expect(NNMinify).not_to receive(:run_node)
    Jekyll::Site.new(fixture_config("nn_blog" => { "minify_js" => true })).process
    expect(output("assets/nn-blog/js/live/example.js")).to eq(first)
  end

  it "serves the sources as they are with nn_blog.minify_js: false" do
    build_with_script("nn_blog" => { "minify_js" => false })
    expect(output("assets/nn-blog/js/live/example.js")).to eq(SOURCE)
  end

  it "fails the build naming the file, line and column of a script it cannot parse" do
    expect { build_with_script({ "watch" => true, "nn_blog" => { "minify_js" => true } }, "export const a = ;\n") }
      .to raise_error(Jekyll::Errors::FatalException, %r{nn_minify: assets/nn-blog/js/live/example\.js:1:\d+ })
  end
end
