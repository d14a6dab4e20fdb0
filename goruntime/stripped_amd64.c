/* The amd64 decoder that recovers runtime globals from RIP-relative code. */
#include <capstone/capstone.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goruntime/stripped.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define MAX_CODE (256u << 10)	/* bytes of one function decoded */
#define MAX_REFS 4096		/* RIP-relative references kept per function */
#define NREGS 16		/* rax..r15 */

const char *const gort_stripped_fn_names[GORT_NFN] = {
	"runtime.forEachGRace",
	"runtime.allgadd",
	"runtime.mcommoninit",
	"runtime.goroutineheader",
};

/* What one instruction did with a RIP-relative address. */
enum ref_kind {
	REF_LOAD,	/* mov r64, [rip+X] */
	REF_XCHG,	/* xchg r, [X] (X from rip, or a register lea'd to X) */
	REF_ALLLINK,	/* mov [r + m_alllink], r2 where r2 was loaded from X */
	REF_WRTABLE,	/* [rA + rB] with rA lea'd to X and rB g.waitreason */
	REF_OTHER,	/* any other operand [rip+X] or lea */
};

struct ref {
	uint64_t addr;
	enum ref_kind kind;
};

/* The decoder's view of one function. */
struct fnscan {
	struct ref *refs;
	size_t nrefs;
	uint64_t nwr;		/* cmp waitreason, imm: the table length */
};

/* Register tracking along a linear sweep. */
struct regs {
	uint64_t lea[NREGS];	/* lea r, [rip+X]: X */
	uint64_t load[NREGS];	/* mov r, [rip+X]: X */
	int wr[NREGS];		/* holds g.waitreason (maybe scaled) */
};

static int gpr(x86_reg r);
static void add_ref(struct fnscan *s, uint64_t addr, enum ref_kind kind);
static void forget_written(csh h, cs_insn *in, struct regs *rg);
static void scan_insn(csh h, cs_insn *in, const struct gort_stripped_in *p,
		      struct regs *rg, struct fnscan *s);
static int scan_fn(csh h, const struct gort_stripped_in *p,
		   enum gort_stripped_fn fn, struct fnscan *s);
static int in_range(uint64_t a, uint64_t lo, uint64_t hi);
static int has_ref(const struct fnscan *s, uint64_t addr);
static uint64_t unique(const struct fnscan *s, enum ref_kind kind,
		       uint64_t lo, uint64_t hi, int *ambiguous);
static int agree(uint64_t *have, uint64_t found, const char *what,
		 struct err *e);
static void find_allgs(const struct fnscan *s,
		       const struct gort_stripped_in *p,
		       struct gort_stripped_out *out);

/* Index 0..15 of a general-purpose register of any width, or -1. */
static int gpr(x86_reg r)
{
	static const x86_reg fam[NREGS][4] = {
		{ X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL },
		{ X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL },
		{ X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL },
		{ X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL },
		{ X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL },
		{ X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL },
		{ X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL },
		{ X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL },
		{ X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B },
		{ X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B },
		{ X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B },
		{ X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B },
		{ X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B },
		{ X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B },
		{ X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B },
		{ X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B },
	};
	int i, k;

	if (r == X86_REG_INVALID)
		return -1;
	for (i = 0; i < NREGS; i++)
		for (k = 0; k < 4; k++)
			if (fam[i][k] == r)
				return i;
	if (r == X86_REG_AH)
		return 0;
	if (r == X86_REG_CH)
		return 1;
	if (r == X86_REG_DH)
		return 2;
	if (r == X86_REG_BH)
		return 3;
	return -1;
}

static void add_ref(struct fnscan *s, uint64_t addr, enum ref_kind kind)
{
	if (s->nrefs >= MAX_REFS)
		return;
	s->refs[s->nrefs].addr = addr;
	s->refs[s->nrefs].kind = kind;
	s->nrefs++;
}

/* A register written by an instruction no longer holds what we knew. */
static void forget_written(csh h, cs_insn *in, struct regs *rg)
{
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0, i;
	int g;

	if (cs_regs_access(h, in, rd, &nrd, wr, &nwr) != CS_ERR_OK)
		return;
	for (i = 0; i < nwr; i++) {
		g = gpr((x86_reg)wr[i]);
		if (g < 0)
			continue;
		rg->lea[g] = 0;
		rg->load[g] = 0;
		/* Scaling keeps an index an index. */
		if (in->id != X86_INS_SHL && in->id != X86_INS_SAL &&
		    in->id != X86_INS_AND)
			rg->wr[g] = 0;
	}
}

static void scan_insn(csh h, cs_insn *in, const struct gort_stripped_in *p,
		      struct regs *rg, struct fnscan *s)
{
	const cs_x86 *x = &in->detail->x86;
	uint64_t next = in->address + in->size, rip = 0;
	int i, dst = -1, src = -1, riprel = 0;

	for (i = 0; i < x->op_count && i < 8; i++) {
		const cs_x86_op *op = &x->operands[i];

		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_RIP &&
		    op->mem.index == X86_REG_INVALID) {
			rip = next + (uint64_t)op->mem.disp;
			riprel = 1;
		}
	}
	if (x->op_count == 2 && x->operands[0].type == X86_OP_REG)
		dst = gpr(x->operands[0].reg);
	if (x->op_count == 2 && x->operands[1].type == X86_OP_REG)
		src = gpr(x->operands[1].reg);

	/* Uses of what earlier instructions left in registers. */
	if (in->id == X86_INS_XCHG && x->op_count == 2) {
		for (i = 0; i < 2; i++) {
			const cs_x86_op *op = &x->operands[i];
			int b;

			if (op->type != X86_OP_MEM)
				continue;
			if (op->mem.base == X86_REG_RIP)
				add_ref(s, rip, REF_XCHG);
			b = gpr(op->mem.base);
			if (b >= 0 && rg->lea[b] && op->mem.disp == 0 &&
			    op->mem.index == X86_REG_INVALID)
				add_ref(s, rg->lea[b], REF_XCHG);
		}
	}
	if (in->id == X86_INS_MOV && x->op_count == 2 &&
	    x->operands[0].type == X86_OP_MEM && src >= 0 && rg->load[src] &&
	    p->m_alllink >= 0 && x->operands[0].mem.disp == p->m_alllink &&
	    x->operands[0].mem.index == X86_REG_INVALID &&
	    x->operands[0].mem.base != X86_REG_RIP)
		add_ref(s, rg->load[src], REF_ALLLINK);
	for (i = 0; i < x->op_count && i < 8; i++) {
		const cs_x86_op *op = &x->operands[i];
		int b, ix;

		if (op->type != X86_OP_MEM || op->mem.base == X86_REG_RIP)
			continue;
		b = gpr(op->mem.base);
		ix = gpr(op->mem.index);
		if (b < 0 || ix < 0)
			continue;
		if (rg->lea[b] && rg->wr[ix])
			add_ref(s, rg->lea[b], REF_WRTABLE);
		else if (rg->lea[ix] && rg->wr[b])
			add_ref(s, rg->lea[ix], REF_WRTABLE);
	}
	if (in->id == X86_INS_CMP && x->op_count == 2 && dst >= 0 &&
	    rg->wr[dst] && x->operands[1].type == X86_OP_IMM &&
	    x->operands[1].imm > 0 && x->operands[1].imm <= 256)
		s->nwr = (uint64_t)x->operands[1].imm;

	forget_written(h, in, rg);

	/* What this instruction leaves in its destination. */
	if (riprel && in->id == X86_INS_LEA && dst >= 0) {
		rg->lea[dst] = rip;
		add_ref(s, rip, REF_OTHER);
	} else if (riprel && in->id == X86_INS_MOV && dst >= 0 &&
		   x->operands[0].size == 8) {
		rg->load[dst] = rip;
		add_ref(s, rip, REF_LOAD);
	} else if (riprel && in->id != X86_INS_XCHG) {
		add_ref(s, rip, REF_OTHER);
	}
	if ((in->id == X86_INS_MOVZX || in->id == X86_INS_MOV) && dst >= 0 &&
	    x->op_count == 2 && x->operands[1].type == X86_OP_MEM &&
	    x->operands[1].size == 1 && p->g_waitreason >= 0 &&
	    x->operands[1].mem.disp == p->g_waitreason &&
	    x->operands[1].mem.base != X86_REG_RIP &&
	    x->operands[1].mem.index == X86_REG_INVALID)
		rg->wr[dst] = 1;
}

/* Decodes one function; s->refs gets its RIP-relative references. */
static int scan_fn(csh h, const struct gort_stripped_in *p,
		   enum gort_stripped_fn fn, struct fnscan *s)
{
	uint64_t addr = p->entry[fn], len;
	unsigned char *code;
	const uint8_t *c;
	struct regs rg;
	cs_insn *in;
	size_t left;

	memset(s, 0, sizeof(*s));
	if (!addr || p->end[fn] <= addr)
		return -ENOENT;
	len = p->end[fn] - addr;
	if (len > MAX_CODE)
		len = MAX_CODE;
	code = xmalloc((size_t)len);
	if (memsrc_read_full(p->img, addr, code, (size_t)len, NULL) < 0) {
		free(code);
		return -EFAULT;
	}
	s->refs = xcalloc(MAX_REFS, sizeof(*s->refs));
	memset(&rg, 0, sizeof(rg));
	in = cs_malloc(h);
	c = code;
	left = (size_t)len;
	while (left > 0) {
		if (!cs_disasm_iter(h, &c, &left, &addr, in)) {
			/* Undecodable byte (padding): step over it. */
			c++;
			left--;
			addr++;
			memset(&rg, 0, sizeof(rg));
			continue;
		}
		scan_insn(h, in, p, &rg, s);
	}
	cs_free(in, 1);
	free(code);
	return 0;
}

static int in_range(uint64_t a, uint64_t lo, uint64_t hi)
{
	return a && lo < hi && a >= lo && a < hi;
}

static int has_ref(const struct fnscan *s, uint64_t addr)
{
	size_t i;

	for (i = 0; i < s->nrefs; i++)
		if (s->refs[i].addr == addr)
			return 1;
	return 0;
}

/* The one address of kind in [lo, hi); 0 when none or several. */
static uint64_t unique(const struct fnscan *s, enum ref_kind kind,
		       uint64_t lo, uint64_t hi, int *ambiguous)
{
	uint64_t found = 0;
	size_t i;

	*ambiguous = 0;
	for (i = 0; i < s->nrefs; i++) {
		if (s->refs[i].kind != kind ||
		    !in_range(s->refs[i].addr, lo, hi))
			continue;
		if (found && found != s->refs[i].addr) {
			*ambiguous = 1;
			return 0;
		}
		found = s->refs[i].addr;
	}
	return found;
}

/* Merges a second finding of one global: they must be equal. */
static int agree(uint64_t *have, uint64_t found, const char *what,
		 struct err *e)
{
	if (!found)
		return 0;
	if (*have && *have != found)
		return err_set(e, EINVAL, "the runtime's code names two "
			       "addresses for %s (0x%llx, 0x%llx)", what,
			       (unsigned long long)*have,
			       (unsigned long long)found);
	*have = found;
	return 0;
}

/* allgs: the .bss address referenced with +8 and +16 (len, cap). */
static void find_allgs(const struct fnscan *s,
		       const struct gort_stripped_in *p,
		       struct gort_stripped_out *out)
{
	uint64_t a, found = 0;
	size_t i;

	for (i = 0; i < s->nrefs; i++) {
		a = s->refs[i].addr;
		if (!in_range(a, p->bss, p->ebss) || a == found ||
		    !has_ref(s, a + 8) || !has_ref(s, a + 16))
			continue;
		if (found) {
			found = 0;	/* two candidates: trust neither */
			break;
		}
		found = a;
	}
	out->allgs = found;
}

int gort_stripped_find(const struct gort_stripped_in *in,
		       struct gort_stripped_out *out, struct err *e)
{
	struct fnscan s[GORT_NFN];
	uint64_t a, b;
	csh h;
	int amb, r = 0, i;

	memset(out, 0, sizeof(*out));
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return err_set(e, EPROTONOSUPPORT,
			       "the x86-64 disassembler is unavailable");
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	for (i = 0; i < GORT_NFN; i++)
		scan_fn(h, in, (enum gort_stripped_fn)i, &s[i]);
	cs_close(&h);

	/* forEachGRace: allglen, then allgptr, are its first two loads. */
	for (i = 0, a = b = 0; i < (int)s[GORT_FN_FOREACHGRACE].nrefs; i++) {
		const struct ref *f = &s[GORT_FN_FOREACHGRACE].refs[i];

		if (f->kind != REF_LOAD)
			continue;
		if (!a) {
			a = f->addr;
			continue;
		}
		b = f->addr;
		break;
	}
	if (in_range(a, in->noptrbss, in->enoptrbss) &&
	    in_range(b, in->bss, in->ebss)) {
		out->allglen = a;
		out->allgptr = b;
	}
	/* allgadd: the slice, and the atomic stores of len and &allgs[0]. */
	find_allgs(&s[GORT_FN_ALLGADD], in, out);
	r = agree(&out->allglen,
		  unique(&s[GORT_FN_ALLGADD], REF_XCHG, in->noptrbss,
			 in->enoptrbss, &amb), "runtime.allglen", e);
	if (r == 0)
		r = agree(&out->allgptr,
			  unique(&s[GORT_FN_ALLGADD], REF_XCHG, in->bss,
				 in->ebss, &amb), "runtime.allgptr", e);
	/* mcommoninit: allm is stored atomically and copied to alllink. */
	a = unique(&s[GORT_FN_MCOMMONINIT], REF_XCHG, in->bss, in->ebss,
		   &amb);
	b = unique(&s[GORT_FN_MCOMMONINIT], REF_ALLLINK, in->bss, in->ebss,
		   &amb);
	if (r == 0 && (a || b)) {
		out->allm = a ? a : b;
		if (a && b && a != b)
			r = agree(&out->allm, b, "runtime.allm", e);
	}
	/* goroutineheader: waitReasonStrings[gp.waitreason]. */
	a = unique(&s[GORT_FN_GOROUTINEHEADER], REF_WRTABLE, in->data,
		   in->edata, &amb);
	if (a) {
		out->waitreason_strings = a;
		out->nwaitreasons = (size_t)s[GORT_FN_GOROUTINEHEADER].nwr;
	}
	for (i = 0; i < GORT_NFN; i++)
		free(s[i].refs);
	if (r < 0)
		return r;
	if (!out->allgs || !out->allglen)
		return err_set(e, ENOENT, "runtime.%s not found in the code "
			       "of %s", !out->allgs ? "allgs" : "allglen",
			       !out->allgs ? "runtime.allgadd"
					   : "runtime.forEachGRace and "
					     "runtime.allgadd");
	return 0;
}
