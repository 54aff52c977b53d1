--[[
quarto-compat.lua: the Quarto idioms the report's pages use, for plain pandoc 3.

- `![caption](file){#fig-x fig-alt="..."}`: the image's alt text is fig-alt; in HTML
  the caption reads "Figure N: caption" as Quarto writes it (typst numbers its own).
- `: caption {#tbl-x}` under a pipe table: "Table N: caption" in HTML.
  HTML tables are keyboard-focusable (tabindex 0): on a phone they scroll sideways.
- `@fig-x`, `@tbl-x`, `@sec-x`: cross-references ("Figure N" links in HTML, typst
  references in the PDF); an unresolved one is an error, as in Quarto.
- `::: {.callout-note}` (also tip, warning, important, caution), titled by a
  `title="..."` attribute or a first heading: Quarto's callout markup in HTML, a
  framed block in typst.
- `{{< pagebreak >}}`: a page break in the PDF, nothing in HTML. Other shortcodes are errors.
- ```` ```{=html} ```` raw blocks need nothing: pandoc keeps them in HTML and drops
  them from typst.
]]

local is_typst = FORMAT:match("typst") ~= nil

local CALLOUT_TITLES = {
  note = "Note", tip = "Tip", warning = "Warning", important = "Important", caution = "Caution",
}
local CALLOUT_COLOURS = {
  note = "rgb(\"#0072B2\")", tip = "rgb(\"#009E73\")", warning = "rgb(\"#E69F00\")",
  important = "rgb(\"#D55E00\")", caution = "rgb(\"#E69F00\")",
}
local KIND_NAMES = { fig = "Figure", tbl = "Table", sec = "Section" }

-- id -> text shown for a reference to it ("Figure 2", "Section Methods").
local targets = {}

local function collect(doc)
  local counts = { fig = 0, tbl = 0 }
  local function number(el)
    local kind = el.identifier:match("^(%a+)%-")
    if counts[kind] then
      counts[kind] = counts[kind] + 1
      targets[el.identifier] = KIND_NAMES[kind] .. " " .. counts[kind]
    end
  end
  doc:walk({
    traverse = "topdown",
    Figure = number,
    Table = number,
    Header = function(h)
      if h.identifier:match("^sec%-") then
        targets[h.identifier] = pandoc.utils.stringify(h.content)
      end
    end,
  })
end

local function prefix_caption(el)
  local label = targets[el.identifier]
  if is_typst or not label or #el.caption.long == 0 then
    return nil
  end
  local first = el.caption.long[1]
  first.content:insert(1, pandoc.Space())
  first.content:insert(1, pandoc.Str(label .. ":"))
  return el
end

-- HTML: a table that is wider than a phone scrolls inside itself (styles.css), and a
-- scrolling region must be reachable by keyboard; its caption names it.
local function html_table(tbl)
  local captioned = prefix_caption(tbl)
  if is_typst then
    return captioned
  end
  tbl.attributes["tabindex"] = "0"
  return tbl
end

local function image(img)
  local alt = img.attributes["fig-alt"]
  if alt then
    img.attributes["fig-alt"] = nil
    img.caption = pandoc.Inlines(alt)
    return img
  end
end

local function cite(c)
  local parts = pandoc.Inlines({})
  for i, citation in ipairs(c.citations) do
    local id = citation.id
    if not id:match("^%a+%-") or not KIND_NAMES[id:match("^(%a+)%-")] then
      return nil -- a bibliographic citation: not ours
    end
    if not targets[id] then
      error("quarto-compat.lua: unresolved cross-reference @" .. id .. ": no figure, table or section has this id")
    end
    if i > 1 then
      parts:insert(pandoc.Str(","))
      parts:insert(pandoc.Space())
    end
    if is_typst then
      parts:insert(pandoc.RawInline("typst", "#ref(<" .. id .. ">)"))
    else
      parts:insert(pandoc.Link(targets[id], "#" .. id, "", pandoc.Attr("", { "quarto-xref" })))
    end
  end
  return parts
end

local function callout_kind(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and CALLOUT_TITLES[kind] then
      return kind
    end
  end
end

local function callout(div)
  local kind = callout_kind(div)
  if not kind then
    return nil
  end
  local content = div.content
  local title
  if div.attributes["title"] then
    title = pandoc.Inlines(div.attributes["title"])
  elseif #content > 0 and content[1].t == "Header" then
    title = content[1].content
    content:remove(1)
  else
    title = pandoc.Inlines(CALLOUT_TITLES[kind])
  end
  if is_typst then
    local open = "#block(width: 100%, inset: 8pt, radius: 2pt, breakable: false, stroke: (left: 3pt + "
      .. CALLOUT_COLOURS[kind] .. "), fill: luma(246))["
    local blocks = pandoc.Blocks({ pandoc.RawBlock("typst", open), pandoc.Para({ pandoc.Strong(title) }) })
    blocks:extend(content)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  -- Quarto's own callout markup, so one stylesheet serves both engines.
  local header = pandoc.Div(
    { pandoc.Div({ pandoc.Plain(title) }, pandoc.Attr("", { "callout-title-container" })) },
    pandoc.Attr("", { "callout-header" })
  )
  local body = pandoc.Div(content, pandoc.Attr("", { "callout-body-container", "callout-body" }))
  local classes = { "callout", "callout-style-default", "callout-" .. kind, "callout-titled" }
  return pandoc.Div({ header, body }, pandoc.Attr(div.identifier, classes, { role = "note" }))
end

-- A shortcode is a paragraph written as `{{< name ... >}}`: pandoc reads it as a first Str
-- starting "{{<". Text that only looks like one after escaping (a column header written
-- `\{[]{}\{[]{}&lt; ...` by the md filter) starts with a Str "{" and is left alone.
local function shortcode(para)
  local first = para.content[1]
  if not first or first.t ~= "Str" or not first.text:match("^{{<") then
    return nil
  end
  local text = pandoc.utils.stringify(para)
  local name = text:match("^{{<%s*(%S+).*>}}$")
  if not name then
    return nil
  end
  if name ~= "pagebreak" then
    error("quarto-compat.lua: unsupported shortcode " .. text .. "; supported: {{< pagebreak >}}")
  end
  if is_typst then
    return pandoc.RawBlock("typst", "#pagebreak()")
  end
  return {}
end

return {
  { Pandoc = function(doc) collect(doc) end },
  { Image = image, Cite = cite, Para = shortcode },
  { Figure = prefix_caption, Table = html_table, Div = callout },
}
