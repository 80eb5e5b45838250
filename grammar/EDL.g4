// The surface syntax of EDL (LANGUAGE.md §1-3).
//
// Declaration words are keywords only where a top-level declaration starts;
// everywhere else the `name` rule accepts them as ordinary identifiers.
// Comments stay on the hidden channel so the formatter and doc comments can
// find them in the token stream.
grammar EDL;

file
    : (importDecl | declaration | separator)* EOF
    ;

importDecl
    : IMPORT STRING
    ;

declaration
    : PROJECT (name | STRING) propertyBlock                   # projectDecl
    | kind=(DATASET | MODEL | SPACE | TRAIN | LABEL | DEPLOY)
        name propertyBlock                                    # blockDecl
    | AUGMENT name stepBlock                                  # augmentDecl
    | OP name '(' (param (',' param)* ','?)? ')' '=' expr     # opDecl
    ;

param
    : name ':' name
    ;

// `;` and `,` between statements are allowed and ignored.
separator
    : ',' | ';'
    ;

propertyBlock
    : '{' (property | separator)* '}'
    ;

property
    : name '=' expr
    ;

stepBlock
    : '{' (step | separator)* '}'
    ;

// A step is a call, or a control block (`one_of`, `some_of(n = 2)`,
// `maybe(p = 0.5)`) with nested steps. Which names may carry a block is
// the checker's business, so a misuse gets a precise diagnostic.
step
    : name ('(' arguments? ')')? stepBlock?
    ;

arguments
    : argument (',' argument)* ','?
    ;

argument
    : (name '=')? expr
    ;

expr
    : primary                                             # primaryExpr
    | expr '.' name                                       # memberExpr
    | <assoc=right> expr '^' expr                         # powerExpr
    | op='-' expr                                         # unaryExpr
    | expr op=('*' | '/') expr                            # binaryExpr
    | expr op=('+' | '-') expr                            # binaryExpr
    | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr    # binaryExpr
    | op=NOT expr                                         # unaryExpr
    | expr op=AND expr                                    # binaryExpr
    | expr op=OR expr                                     # binaryExpr
    ;

primary
    : literal                                             # literalPrimary
    | name '(' arguments? ')'                             # callPrimary
    | name                                                # namePrimary
    | '[' (expr (',' expr)* ','?)? ']'                    # listPrimary
    | '{' (property | separator)* '}'                           # recordPrimary
    | '(' expr ')'                                        # parenPrimary
    ;

literal
    : INT | FLOAT | PERCENT | SIZE | DURATION | STRING | TRUE | FALSE | NONE
    ;

name
    : IDENT | PROJECT | DATASET | AUGMENT | OP | MODEL | SPACE | TRAIN | LABEL | DEPLOY
    ;

// ---- lexer ----------------------------------------------------------------

IMPORT  : 'import';
TRUE    : 'true';
FALSE   : 'false';
NONE    : 'none';
AND     : 'and';
OR      : 'or';
NOT     : 'not';
PROJECT : 'project';
DATASET : 'dataset';
AUGMENT : 'augment';
OP      : 'op';
MODEL   : 'model';
SPACE   : 'space';
TRAIN   : 'train';
LABEL   : 'label';
DEPLOY  : 'deploy';

// Longest match keeps `224x224`, `80%`, `30s` and `1e-3` single tokens.
SIZE     : DIGITS 'x' DIGITS;
DURATION : (DIGITS | DECIMAL) ('s' | 'm' | 'h');
PERCENT  : (DIGITS | DECIMAL) '%';
FLOAT    : DECIMAL;
INT      : DIGITS;

// An escape's validity is checked by the parser front end, which can then
// point at the bad escape instead of failing the whole token.
STRING   : '"' ('\\' ~[\r\n] | ~["\\\r\n])* '"';
UNTERMINATED_STRING : '"' ('\\' ~[\r\n] | ~["\\\r\n])*;

IDENT    : [A-Za-z_] [A-Za-z0-9_]*;

DOC_COMMENT   : '///' ~[\r\n]* -> channel(HIDDEN);
LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN);
// Cannot contain `*/`, so it only matches a comment that is never closed.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF;
WS       : [ \t\r\n\f]+ -> skip;

LPAREN : '('; RPAREN : ')'; LBRACE : '{'; RBRACE : '}';
LBRACK : '['; RBRACK : ']'; COMMA : ','; SEMI : ';'; ASSIGN : '='; COLON : ':'; DOT : '.';
CARET : '^'; STAR : '*'; SLASH : '/'; PLUS : '+'; MINUS : '-';
LT : '<'; LE : '<='; GT : '>'; GE : '>='; EQ : '=='; NE : '!=';

// Anything else is handed to the parser as one token so it can be reported
// with its position; the lexer itself never fails.
ERROR_CHAR : .;

fragment DIGITS  : [0-9] [0-9_]*;
fragment DECIMAL : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT;
fragment EXPONENT: [eE] [+-]? [0-9]+;
