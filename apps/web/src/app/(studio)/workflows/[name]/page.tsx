import type { Metadata } from 'next';
import { WorkflowEditor } from '../../../../components/canvas/editor.tsx';

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: (await params).name };
}

export default async function WorkflowPage({ params }: { params: Promise<{ name: string }> }) {
  return <WorkflowEditor name={(await params).name} />;
}
