package pin

// The tables below were derived from the Unicode canonical decompositions
// (NFD) of each letter: the first decomposed character, lower-cased, when it
// is an ASCII letter, plus the letters that have no decomposition but an
// obvious ASCII reading ("ł", "đ", "ı", "ø").

// latinFold maps U+00C0..U+024F to the lower-case ASCII letter it is written
// with ("é" -> 'e', "Ł" -> 'l', "ı" -> 'i'); '_' marks runes without one
// (multi-letter ones such as "ß" and "œ" are handled in foldRune).
const latinFold = "" +
	"aaaaaa_ceeeeiiiidnooooo_ouuuuy__aaaaaa_ceeeeiiiidnooooo_ouuuuy_y" +
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii__jjkkklllllll" +
	"lllnnnnnn_nnoooooo__rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzz_" +
	"bbbb___cc_ddd____ffg____kkl___n_oooopp_____ttttuu__yyzz_________" +
	"_____________aaiioouuuuuuuuuu_aaaa____ggkkoooo__j___gg__nnaa____" +
	"aaaaeeeeiiiioooorrrruuuusstt__hhn___zzaaeeooooooooyy_______ccl_s" +
	"z__b__eejjqqrryy"

// vietFold does the same for U+1E00..U+1EFF (Latin Extended Additional:
// Vietnamese "ạ", "ế", "ữ", ...).
const vietFold = "" +
	"aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm" +
	"mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv" +
	"wwwwwwwwwwxxxxyyzzzzzzhtwy______aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee" +
	"eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy______"
