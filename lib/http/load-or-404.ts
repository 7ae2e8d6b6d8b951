import 'server-only';
import { notFound } from 'next/navigation';
import { AppError } from '@/lib/errors';

/** For detail pages: an operation's `not_found` becomes Next's 404 page; other errors propagate. */
export async function loadOr404<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') notFound();
    throw error;
  }
}
