package io.prodgate.core.canary;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list that a longer one can extend without copying it: {@link #plus} of the newest version appends in
 * place to an array that the versions share (each sees only its own first {@code size} elements, which never change),
 * so a bake's evaluations grow in O(1) amortised instead of a copy of them all per evaluation. A version that is
 * extended a second time (an older state extended again) copies, as {@code List.copyOf} would have.
 *
 * <p>It serializes as an ordinary unmodifiable list ({@code List.copyOf}), the form a bake state always had.
 */
final class AppendedList<E> extends AbstractList<E> implements RandomAccess, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Who may append in place: the version whose size is {@code used}. */
    private static final class Owner {
        int used;
    }

    private final transient Owner owner;
    private final transient Object[] elements;
    private final transient int size;

    private AppendedList(Owner owner, Object[] elements, int size) {
        this.owner = owner;
        this.elements = elements;
        this.size = size;
    }

    /** {@code list} as an immutable list that {@link #plus} can extend; null elements are refused. */
    static <E> List<E> of(List<? extends E> list) {
        if (list instanceof AppendedList<? extends E> appended) {
            @SuppressWarnings("unchecked")
            List<E> same = (List<E>) appended;
            return same;
        }
        Object[] copy = list.toArray();
        for (Object e : copy) {
            Objects.requireNonNull(e);
        }
        Owner owner = new Owner();
        owner.used = copy.length;
        return new AppendedList<>(owner, copy, copy.length);
    }

    /** {@code list} with {@code element} appended, {@code list} unchanged. */
    static <E> List<E> plus(List<? extends E> list, E element) {
        Objects.requireNonNull(element);
        @SuppressWarnings("unchecked")
        AppendedList<E> from = (AppendedList<E>) of(list);
        return from.plus(element);
    }

    private List<E> plus(E element) {
        synchronized (owner) {
            if (owner.used == size) { // the newest version: the slots after it are free
                Object[] into = size < elements.length ? elements
                        : Arrays.copyOf(elements, Math.max(8, size + (size >> 1)));
                into[size] = element;
                owner.used = size + 1;
                return new AppendedList<>(owner, into, size + 1);
            }
        }
        Object[] copy = Arrays.copyOf(elements, Math.max(8, size + 1 + (size >> 1)));
        copy[size] = element;
        Owner fork = new Owner();
        fork.used = size + 1;
        return new AppendedList<>(fork, copy, size + 1);
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        Objects.checkIndex(index, size);
        return (E) elements[index];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object[] toArray() {
        return Arrays.copyOf(elements, size);
    }

    @Serial
    private Object writeReplace() {
        return List.copyOf(this);
    }
}
