" Vim syntax for EDL (.edl), the declarative machine-learning language.
" Install: copy syntax/ and ftdetect/ into ~/.vim/ (or a plugin manager's folder).
if exists("b:current_syntax")
  finish
endif

syn keyword edlImport import
syn keyword edlConstant true false none
syn keyword edlLogical and or not
syn keyword edlControl one_of some_of maybe

" Declaration words are keywords only where a declaration starts.
syn match edlDeclaration "^\s*\zs\(project\|dataset\|augment\|op\|model\|space\|train\|label\|deploy\)\ze\s\+[A-Za-z_\"]" nextgroup=edlDeclName skipwhite
syn match edlDeclName "[A-Za-z_][A-Za-z0-9_]*" contained

syn match edlProperty "\<[A-Za-z_][A-Za-z0-9_]*\ze\s*=[^=]"
syn match edlCall "\<[A-Za-z_][A-Za-z0-9_]*\ze\s*("
syn match edlMember "\.\zs[A-Za-z_][A-Za-z0-9_]*"
syn match edlParamType ":\s*\zs\(float\|int\|bool\)\>"

syn match edlNumber "\<[0-9][0-9_]*\>"
syn match edlNumber "\<[0-9][0-9_]*\.[0-9][0-9_]*\([eE][+-]\?[0-9]\+\)\?\>"
syn match edlNumber "\<[0-9][0-9_]*[eE][+-]\?[0-9]\+\>"
syn match edlPercent "\<[0-9][0-9_]*\(\.[0-9][0-9_]*\)\?%"
syn match edlSize "\<[0-9][0-9_]*x[0-9][0-9_]*\>"
syn match edlDuration "\<[0-9][0-9_]*\(\.[0-9][0-9_]*\)\?[smh]\>"

syn match edlEscape "\\[nt\"\\]" contained
syn match edlBadEscape "\\[^nt\"\\]" contained
syn region edlString start=+"+ skip=+\\.+ end=+"+ end=+$+ contains=edlEscape,edlBadEscape

syn match edlOperator "==\|!=\|<=\|>=\|[-+*/^<>=]"

syn keyword edlTodo TODO FIXME XXX contained
syn match edlDocComment "///.*$" contains=edlTodo
syn match edlComment "//\([^/].*\)\?$" contains=edlTodo
syn region edlComment start="/\*" end="\*/" contains=edlTodo

hi def link edlImport Include
hi def link edlConstant Constant
hi def link edlLogical Operator
hi def link edlControl Conditional
hi def link edlDeclaration Keyword
hi def link edlDeclName Identifier
hi def link edlProperty Identifier
hi def link edlCall Function
hi def link edlMember Identifier
hi def link edlParamType Type
hi def link edlNumber Number
hi def link edlPercent Number
hi def link edlSize Number
hi def link edlDuration Number
hi def link edlString String
hi def link edlEscape SpecialChar
hi def link edlBadEscape Error
hi def link edlOperator Operator
hi def link edlComment Comment
hi def link edlDocComment SpecialComment
hi def link edlTodo Todo

let b:current_syntax = "edl"
